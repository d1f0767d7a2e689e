"""AWS CLI plugin for a single local endpoint such as ferry's: one endpoint
for every service, and no account-id host label for S3 Control (the CLI's
endpoint rules turn http://127.0.0.1:9000 into the unusable host
111122223333.127.0.0.1:9000; this plugin strips the label before signing).

AWS CLI v2, in ~/.aws/config:
    [plugins]
    cli_legacy_plugin_path = /dir/containing/this/file
    localendpoint = awscli_localendpoint
AWS CLI v1: the same [plugins] line without cli_legacy_plugin_path, with
this directory on PYTHONPATH.
Then export AWS_ENDPOINT_URL=http://127.0.0.1:9000 (the variable that
CLI >= 2.13 and v1 on botocore >= 1.31 read natively)."""
import os
from urllib.parse import urlsplit, urlunsplit


def _default_endpoint(parsed_args, **kwargs):
    url = os.environ.get("AWS_ENDPOINT_URL")
    if url and getattr(parsed_args, "endpoint_url", None) is None:
        parsed_args.endpoint_url = url


def _strip_account_label(request, **kwargs):
    acct = request.headers.get("x-amz-account-id")
    if not acct:
        return
    if isinstance(acct, bytes):
        acct = acct.decode()
    u = urlsplit(request.url)
    if u.netloc.startswith(acct + "."):
        request.url = urlunsplit(u._replace(netloc=u.netloc[len(acct) + 1:]))


def awscli_initialize(cli):
    # registered before the builtin resolve_types handler runs on the same
    # event list, so the value still goes through its scheme validation
    cli.register_first("top-level-args-parsed", _default_endpoint)
    cli.register_first("before-sign.s3-control", _strip_account_label)
