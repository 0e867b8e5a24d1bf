"""SigV4 requests signed by botocore, the AWS SDK for Python: a signer other than the project's.

Reads one JSON request per line on stdin, {"method", "url", "body": text or null, "region"},
signs it for the execute-api service with the credentials botocore finds (the environment here),
sends it and writes one JSON line per answer: {"status", "body": text}.
"""

import json
import sys
import urllib.error
import urllib.request

import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest


def send(request, credentials):
    body = request.get("body")
    headers = {"content-type": "application/json"} if body is not None else {}
    signed = AWSRequest(method=request["method"], url=request["url"], data=body, headers=headers)
    SigV4Auth(credentials, "execute-api", request["region"]).add_auth(signed)
    prepared = signed.prepare()
    outgoing = urllib.request.Request(
        prepared.url,
        data=prepared.body.encode() if isinstance(prepared.body, str) else prepared.body,
        headers=dict(prepared.headers.items()),
        method=prepared.method,
    )
    try:
        with urllib.request.urlopen(outgoing, timeout=60) as answer:
            return {"status": answer.status, "body": answer.read().decode()}
    except urllib.error.HTTPError as refused:
        return {"status": refused.code, "body": refused.read().decode()}


def main():
    credentials = botocore.session.get_session().get_credentials()
    if credentials is None:
        sys.exit("botocore found no credentials")
    for line in sys.stdin:
        print(json.dumps(send(json.loads(line), credentials)), flush=True)


if __name__ == "__main__":
    main()
