#!/bin/sh
# The obvious scripted alternative to git-promote, for bench/aws-requests.sh: a POSIX sh pre-push hook that asks SSM,
# through the AWS CLI, whether each pushed commit is green in the previous environment. One `aws ssm get-parameter`
# per ref, one after the other. (It knows nothing of rollbacks, bypasses, CodePipeline, profiles per environment,
# timeouts or caching; it is here to compare cost, not features.)
#   PROMOTE_SERVICE: the service name in /promote/<name>/<env>/green/<sha>;  AWS_* as the AWS CLI reads them.
remote=$1
case "$remote" in
  stg) previous=dev ;;
  prd) previous=stg ;;
  *) exit 0 ;;
esac
status=0
while read -r local_ref local_sha remote_ref remote_sha; do
  case "$remote_ref" in
    refs/heads/main|refs/heads/release/*) ;;
    *) continue ;;
  esac
  case "$local_sha" in
    *[!0]*) ;;
    *) echo "refusing to delete $remote_ref on $remote" >&2; status=1; continue ;;
  esac
  if ! aws ssm get-parameter --name "/promote/$PROMOTE_SERVICE/$previous/green/$local_sha" --query Parameter.Name --output text >/dev/null 2>&1; then
    echo "pre-push: $local_sha is not green in $previous; $remote_ref refused" >&2
    status=1
  fi
done
exit $status
