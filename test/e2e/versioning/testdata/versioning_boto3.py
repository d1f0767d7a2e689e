#!/usr/bin/env python3
"""Bucket versioning checked with boto3 against a ferry server.

Run by boto3_test.go with pyenv's python3 (modern boto3) and Debian's
/usr/bin/python3 (python3-boto3). Environment:

  FERRY_ENDPOINT       http://127.0.0.1:PORT (required)
  FERRY_BUCKET_PREFIX  prefix for bucket names (default "bv")
  AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION

Each step prints "ok <step>". The first failed check prints
"FAIL <step>: <message>" with a traceback and the script exits 1; after
the last step it prints "PASS". Steps share state and run in order.
"""

import os
import sys
import time
import traceback

import boto3
import botocore
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = os.environ["FERRY_ENDPOINT"]
PREFIX = os.environ.get("FERRY_BUCKET_PREFIX", "bv")
BUCKET = PREFIX + "-versioned"
KEY = "doc.txt"
KEY2 = "suspended.txt"
BODIES = [b"version one", b"version two, longer", b"version three, the newest"]

s3 = boto3.client(
    "s3",
    endpoint_url=ENDPOINT,
    region_name="us-east-1",
    config=Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"}),
)

state = {}


class Failure(Exception):
    pass


def eq(got, want, what):
    if got != want:
        raise Failure("%s: got %r, want %r" % (what, got, want))


def check(cond, msg, *args):
    if not cond:
        raise Failure(msg % args if args else msg)


def client_error(fn, **kw):
    """Calls fn, which must fail; returns (status, code, headers)."""
    try:
        fn(**kw)
    except ClientError as e:
        meta = e.response.get("ResponseMetadata", {})
        return meta.get("HTTPStatusCode"), e.response.get("Error", {}).get("Code"), meta.get("HTTPHeaders", {})
    raise Failure("%s(%r) succeeded, want an error" % (fn.__name__, kw))


def versions(prefix=None):
    kw = {"Bucket": BUCKET}
    if prefix is not None:
        kw["Prefix"] = prefix
    r = s3.list_object_versions(**kw)
    return r.get("Versions", []), r.get("DeleteMarkers", [])


def step_enable():
    s3.create_bucket(Bucket=BUCKET)
    r = s3.get_bucket_versioning(Bucket=BUCKET)
    check("Status" not in r, "new bucket: get_bucket_versioning has Status %r", r.get("Status"))
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    eq(s3.get_bucket_versioning(Bucket=BUCKET).get("Status"), "Enabled", "Status after Enabled")


def step_three_puts():
    puts = []
    for i, body in enumerate(BODIES):
        r = s3.put_object(Bucket=BUCKET, Key=KEY, Body=body)
        vid = r.get("VersionId")
        check(vid and vid != "null", "put %d: VersionId %r, want a fresh id", i, vid)
        check(vid not in [p[0] for p in puts], "put %d: VersionId %r repeats", i, vid)
        puts.append((vid, r["ETag"]))
    state["puts"] = puts


def step_list_versions():
    puts = state["puts"]
    vs, ms = versions()
    eq(len(vs), 3, "number of Versions")
    eq(ms, [], "DeleteMarkers")
    for i, v in enumerate(vs):
        vid, etag = puts[2 - i]
        eq((v["Key"], v["VersionId"], v["ETag"], v["IsLatest"], v["Size"]),
           (KEY, vid, etag, i == 0, len(BODIES[2 - i])), "Versions[%d] (newest first)" % i)


def step_get_old_version():
    vid = state["puts"][0][0]
    r = s3.get_object(Bucket=BUCKET, Key=KEY, VersionId=vid)
    eq(r["Body"].read(), BODIES[0], "oldest version body")
    eq(r.get("VersionId"), vid, "GetObject VersionId")
    r = s3.get_object(Bucket=BUCKET, Key=KEY)
    eq(r["Body"].read(), BODIES[2], "current body")


def step_delete_marker():
    r = s3.delete_object(Bucket=BUCKET, Key=KEY)
    marker = r.get("VersionId")
    eq(r.get("DeleteMarker"), True, "delete_object DeleteMarker")
    check(marker and marker != "null", "delete marker VersionId %r", marker)
    state["marker"] = marker
    vs, ms = versions()
    eq([(m["Key"], m["VersionId"], m["IsLatest"]) for m in ms], [(KEY, marker, True)], "DeleteMarkers")
    eq([v["IsLatest"] for v in vs], [False, False, False], "IsLatest of the versions under the marker")
    status, code, headers = client_error(s3.get_object, Bucket=BUCKET, Key=KEY)
    eq((status, code), (404, "NoSuchKey"), "GET with a marker current")
    eq(headers.get("x-amz-delete-marker"), "true", "x-amz-delete-marker on GET")
    status, _, _ = client_error(s3.head_object, Bucket=BUCKET, Key=KEY)
    eq(status, 404, "HEAD with a marker current")
    status, code, headers = client_error(s3.get_object, Bucket=BUCKET, Key=KEY, VersionId=marker)
    eq((status, code), (405, "MethodNotAllowed"), "GET versionId=<marker>")
    eq(headers.get("x-amz-delete-marker"), "true", "x-amz-delete-marker on GET versionId=<marker>")
    r = s3.list_objects_v2(Bucket=BUCKET)
    check(KEY not in [o["Key"] for o in r.get("Contents", [])], "deleted key still listed by list_objects_v2")


def step_restore():
    marker = state["marker"]
    r = s3.delete_object(Bucket=BUCKET, Key=KEY, VersionId=marker)
    eq((r.get("DeleteMarker"), r.get("VersionId")), (True, marker), "delete_object versionId=<marker>")
    vid, etag = state["puts"][2]
    h = s3.head_object(Bucket=BUCKET, Key=KEY)
    eq((h["ETag"], h.get("VersionId")), (etag, vid), "head_object after removing the marker")
    vs, ms = versions()
    eq(ms, [], "DeleteMarkers after restore")
    eq([v["IsLatest"] for v in vs], [True, False, False], "IsLatest after restore")


def step_suspend():
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Suspended"})
    eq(s3.get_bucket_versioning(Bucket=BUCKET).get("Status"), "Suspended", "Status after Suspended")
    etag = None
    for i, body in enumerate([b"null one", b"null two"]):
        r = s3.put_object(Bucket=BUCKET, Key=KEY2, Body=body)
        eq(r.get("VersionId"), "null", "put %d (Suspended) VersionId" % i)
        etag = r["ETag"]
    vs, ms = versions(KEY2)
    eq([(v["VersionId"], v["IsLatest"], v["ETag"]) for v in vs], [("null", True, etag)], "versions of the suspended key")
    eq(ms, [], "markers of the suspended key")
    vs, _ = versions(KEY)
    eq([v["VersionId"] for v in vs], [p[0] for p in reversed(state["puts"])], "old versions after suspending")
    status, code, _ = client_error(s3.put_bucket_versioning, Bucket=BUCKET, VersioningConfiguration={"Status": "Bogus"})
    eq((status, code), (400, "MalformedXML"), "put_bucket_versioning Status=Bogus")


def step_delete_objects():
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    puts = state["puts"]
    # Without versions: a marker per key.
    r = s3.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": KEY}]})
    eq(r.get("Errors", []), [], "delete_objects (no version) Errors")
    d = r["Deleted"]
    eq(len(d), 1, "Deleted entries")
    eq(d[0].get("DeleteMarker"), True, "Deleted[0].DeleteMarker")
    marker = d[0].get("DeleteMarkerVersionId")
    check(marker and marker != "null", "DeleteMarkerVersionId %r", marker)
    # With versions: the oldest version and the new marker.
    r = s3.delete_objects(Bucket=BUCKET, Delete={"Objects": [
        {"Key": KEY, "VersionId": puts[0][0]},
        {"Key": KEY, "VersionId": marker},
    ], "Quiet": False})
    eq(r.get("Errors", []), [], "delete_objects (versions) Errors")
    got = sorted((x["Key"], x.get("VersionId"), x.get("DeleteMarker", False), x.get("DeleteMarkerVersionId")) for x in r["Deleted"])
    want = sorted([(KEY, puts[0][0], False, None), (KEY, marker, True, marker)])
    eq(got, want, "Deleted entries (Key, VersionId, DeleteMarker, DeleteMarkerVersionId)")
    vs, ms = versions(KEY)
    eq([v["VersionId"] for v in vs], [puts[2][0], puts[1][0]], "versions left")
    eq(ms, [], "markers left")
    eq(s3.get_object(Bucket=BUCKET, Key=KEY)["Body"].read(), BODIES[2], "current body after delete_objects")


STEPS = [step_enable, step_three_puts, step_list_versions, step_get_old_version,
         step_delete_marker, step_restore, step_suspend, step_delete_objects]


def main():
    print("python %s, boto3 %s, botocore %s, endpoint %s" % (
        sys.version.split()[0], boto3.__version__, botocore.__version__, ENDPOINT), flush=True)
    for step in STEPS:
        name = step.__name__[len("step_"):]
        t0 = time.time()
        try:
            step()
        except Exception as e:  # noqa: BLE001 - report anything and stop
            print("FAIL %s: %s: %s" % (name, type(e).__name__, e), flush=True)
            traceback.print_exc(file=sys.stdout)
            sys.exit(1)
        print("ok %s (%.1fs)" % (name, time.time() - t0), flush=True)
    print("PASS", flush=True)


if __name__ == "__main__":
    main()
