#!/usr/bin/env bats
# Source validation (bin/fetch-source.sh --check): only https git URLs on allowed hosts and S3
# objects in the source bucket get through; hostile forms exit 65 before any network access.

load helpers

setup() {
  export HOME="$BATS_TEST_TMPDIR/home"
  mkdir -p "$HOME"
  unset ALLOWED_GIT_HOSTS ALLOWED_GIT_SCHEMES
  export SOURCE_BUCKET=atx-source
}

check() {
  run "$BIN/fetch-source.sh" --check "$1"
}

refused() {
  check "$1"
  echo "$1 -> status $status: $output"
  [ "$status" -eq 65 ]
  [[ $output == *"source refused: $2"* ]]
}

@test "an https URL on github.com is accepted as git with its host" {
  check https://github.com/aws-samples/demo-app.git
  [ "$status" -eq 0 ]
  [ "$output" = "git github.com" ]
}

@test "gitlab.com and bitbucket.org are allowed by default, host case is ignored" {
  check https://GitLab.com/group/sub/repo
  [ "$status" -eq 0 ]
  [ "$output" = "git gitlab.com" ]
  check https://bitbucket.org/team/repo.git
  [ "$output" = "git bitbucket.org" ]
}

@test "file:// URLs are refused" {
  refused file:///etc/passwd "scheme not allowed"
}

@test "file:// stays refused even when ALLOWED_GIT_SCHEMES lists it" {
  ALLOWED_GIT_SCHEMES=https,file refused file:///srv/repo/x "scheme not allowed"
}

@test "ssh:// URLs and scp-like git@host:path forms are refused" {
  refused ssh://git@github.com/org/repo.git "scheme not allowed"
  refused git@github.com:org/repo.git "not a plain"
}

@test "plain http and git:// are refused by default" {
  refused http://github.com/org/repo "scheme not allowed"
  refused git://github.com/org/repo "scheme not allowed"
}

@test "credential-bearing URLs are refused" {
  refused https://user:ghp_secret@github.com/org/repo "credentials in URLs"
  refused https://ghp_token@github.com/org/repo "credentials in URLs"
}

@test "a credential-bearing URL is never echoed in the refusal log" {
  check https://user:ghp_verysecret123@github.com/org/repo
  [ "$status" -eq 65 ]
  [[ $output != *ghp_verysecret123* ]]
}

@test "instance metadata addresses are refused (169.254.169.254, [fd00:ec2::254], 169.254.170.2)" {
  refused http://169.254.169.254/latest/meta-data "scheme not allowed"
  refused https://169.254.169.254/latest/meta-data "link-local or instance-metadata address"
  refused "https://[fd00:ec2::254]/latest/meta" "link-local or instance-metadata address"
  refused https://169.254.170.2/v2/credentials "link-local or instance-metadata address"
}

@test "metadata addresses stay refused even when listed in ALLOWED_GIT_HOSTS" {
  ALLOWED_GIT_HOSTS=169.254.169.254,[fd00:ec2::254] refused https://169.254.169.254/org/repo "link-local"
  ALLOWED_GIT_HOSTS=169.254.169.254,[fd00:ec2::254] refused "https://[fd00:ec2::254]/org/repo" "link-local"
}

@test "numeric host spellings of the metadata address are refused" {
  ALLOWED_GIT_HOSTS=2852039166,0xa9fea9fe refused https://2852039166/org/repo "numeric host form"
  ALLOWED_GIT_HOSTS=0xa9fea9fe refused https://0xa9fea9fe/org/repo "numeric host form"
  ALLOWED_GIT_HOSTS=0251.0376.0251.0376 refused https://0251.0376.0251.0376/org/repo "numeric host form"
}

@test "hosts outside ALLOWED_GIT_HOSTS are refused, including look-alike suffixes" {
  refused https://evil.example.com/org/repo "host not allowed"
  refused https://github.com.evil.example/org/repo "host not allowed"
  refused https://127.0.0.1/org/repo "host not allowed"
}

@test "ALLOWED_GIT_SCHEMES and ALLOWED_GIT_HOSTS from the environment allow a loopback http server" {
  ALLOWED_GIT_SCHEMES=http ALLOWED_GIT_HOSTS=127.0.0.1 check http://127.0.0.1:8080/org/repo.git
  [ "$status" -eq 0 ]
  [ "$output" = "git 127.0.0.1" ]
}

@test "query strings, fragments, dot segments and option-like paths are refused" {
  refused "https://github.com/org/repo?x=1" "not a plain"
  refused "https://github.com/org/repo#frag" "not a plain"
  refused https://github.com/org/../other "dot segments"
  refused https://github.com/org "repository path"
  refused "https://github.com/org/--upload-pack=touch" "repository path"
}

@test "URLs with spaces, shell syntax or control characters are refused" {
  refused 'https://github.com/org/repo;touch${IFS}x' "repository path"
  refused 'https://github.com/org/`id`' "repository path"
  refused 'https://github.com/org/$(id)' "repository path"
  refused "https://github.com/org/re po" "URL contains whitespace"
  refused $'https://github.com/org/repo\n--config' "URL contains whitespace"
}

@test "an S3 zip in the source bucket is accepted as s3-zip" {
  check s3://atx-source/uploads/abc/project.zip
  [ "$status" -eq 0 ]
  [ "$output" = s3-zip ]
}

@test "an S3 prefix ending with / in the source bucket is accepted as s3-prefix" {
  check s3://atx-source/projects/app/
  [ "$status" -eq 0 ]
  [ "$output" = s3-prefix ]
}

@test "S3 sources in another bucket, with dot segments or of another kind are refused" {
  refused s3://other-bucket/uploads/p.zip "only the source bucket"
  refused s3://atx-source/uploads/../config/mcp.json.zip "dot segments"
  refused s3://atx-source/uploads/p.tar.gz "S3 source must be a .zip object or a prefix"
}
