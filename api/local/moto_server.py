"""moto's server with DynamoDB writes made atomic and table queries confined to one partition,
as in DynamoDB.

- moto's TransactWriteItems deep-copies every table it touches before it starts (time grows with
  the table) and restores that copy on failure, and its write operations take no lock: the server
  handles requests on several threads, so a conditional write or a transaction can interleave with
  another and a rollback can undo writes made meanwhile. Batch counters updated in transactions
  then drift. Here item writes and transactions run behind one lock, and a cancelled transaction
  changes nothing (conditions are checked before any write).
- moto answers a Query on a table's key by sorting every item of the table, so reading one batch's
  counters would take longer the more jobs the table holds. Here it reads the queried partition,
  in key order, as DynamoDB keeps it.

Arguments are moto_server's.
"""

import copy
import sys
import threading

from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    ConditionalCheckFailed,
    MockValidationException,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table
from moto.server import main

_lock = threading.RLock()


def _serialised(method):
    def locked(self, *args, **kwargs):
        with _lock:
            return method(self, *args, **kwargs)

    return locked


for _name in ("put_item", "update_item", "delete_item"):
    setattr(DynamoDBBackend, _name, _serialised(getattr(DynamoDBBackend, _name)))


def _item_key(backend, table_name, op_type, op):
    if op_type != "Put":
        return op["Key"]
    table = backend.get_table(table_name)
    key = {table.hash_key_attr: op["Item"][table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = op["Item"][table.range_key_attr]
    return key


def _transact_write_items(self, transact_items):
    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    with _lock:
        ops, seen, errors = [], set(), []
        for item in transact_items:
            if len(item) > 1:
                raise TransactWriteSingleOpException
            op_type, op = next(iter(item.items()))
            if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
                raise MockValidationException("Unsupported transaction operation")
            key = _item_key(self, op["TableName"], op_type, op)
            identity = (op["TableName"], str(sorted(key.items())))
            if identity in seen:
                raise MultipleTransactionsException()
            seen.add(identity)
            current = self.get_item(op["TableName"], key)
            condition = op.get("ConditionExpression")
            failed = condition is not None and not get_filter_expression(
                condition, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
            ).expr(current)
            errors.append(("ConditionalCheckFailed", "The conditional request failed", None) if failed else (None, None, None))
            ops.append((op_type, op, key, copy.deepcopy(current)))
        if any(code is not None for code, _, _ in errors):
            raise TransactionCanceledException(errors)
        applied = []
        try:
            for op_type, op, key, before in ops:
                names, values = op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
                if op_type == "Put":
                    self.put_item(op["TableName"], op["Item"])
                elif op_type == "Delete":
                    self.delete_item(op["TableName"], key)
                elif op_type == "Update":
                    self.update_item(
                        op["TableName"],
                        key,
                        update_expression=op["UpdateExpression"],
                        expression_attribute_names=names,
                        expression_attribute_values=values,
                    )
                applied.append((op["TableName"], key, before))
        except Exception:
            for table_name, key, before in reversed(applied):
                if before is None:
                    self.delete_item(table_name, key)
                else:
                    self.get_table(table_name).put_item(before.to_json()["Attributes"])
            raise


DynamoDBBackend.transact_write_items = _transact_write_items

_query_scope = threading.local()
_table_query = Table.query
_table_all_items = Table.all_items


def _query(self, *args, **kwargs):
    hash_key = args[0] if args else kwargs.get("hash_key")
    index_name = args[7] if len(args) > 7 else kwargs.get("index_name")
    _query_scope.partition = hash_key if index_name is None and self.range_key_attr else None
    try:
        return _table_query(self, *args, **kwargs)
    finally:
        _query_scope.partition = None


def _all_items(self):
    partition = getattr(_query_scope, "partition", None)
    if partition is None:
        return _table_all_items(self)
    # By the key's plain value: comparing moto's DynamoType objects costs about 8 ms per 1,000 items,
    # and moto sorts the result again (then in one pass: it is in order already).
    return sorted(self.items.get(partition, {}).values(), key=lambda item: item.range_key.cast_value)


Table.query = _query
Table.all_items = _all_items

if __name__ == "__main__":
    sys.exit(main())
