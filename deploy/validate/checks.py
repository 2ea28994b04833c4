"""The YAML checks of deploy/validate.sh, run with its virtualenv's Python: one ok/FAIL line per check,
exit status the number of failures (at most 100)."""

import sys

import common
from compose_checks import check_compose, check_local_stack
from kubernetes_checks import check_kubernetes

check_local_stack(check_compose())
check_kubernetes()
sys.exit(min(common.failures, 100))
