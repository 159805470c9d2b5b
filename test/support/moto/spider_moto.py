#!/usr/bin/env python3
"""moto, extended for pulumi-spider's AWS driver tests.

moto 5.x serves ELBv2/EKS/EC2/IAM well enough for shapes, but it makes every object ready at
once, always reports targets healthy and lacks the EKS update calls. This launcher patches moto's
backends in-process before serving, so the driver's waiters and health mapping really run:

* EKS: UpdateClusterVersion, UpdateNodegroupVersion, DescribeUpdate and ListUpdates exist;
  UpdateClusterConfig changes subnets / security groups as a VpcConfigUpdate, one update type
  per call, with EKS's rules (same VPC, two or more AZs, only the AZs chosen at creation);
  UpdateClusterVersion is refused while a managed node group lags the control plane's minor;
  clusters and node groups stay CREATING / DELETING for N describes; an active node group has
  `desiredSize` EC2 instances tagged eks:cluster-name / eks:nodegroup-name, as EKS's Auto Scaling
  group would launch them; every update (version and
  UpdateNodegroupConfig) stays InProgress for N DescribeUpdate polls and only then takes effect;
  a control-plane upgrade must be exactly one minor version; node groups can be tagged; a
  cluster records the VPC of its subnets and needs subnets in two AZs, as EKS does.
* ELBv2: a load balancer is `provisioning` for N describes; DescribeTargetHealth reports what
  the control endpoint set (or `initial` for the first --initial-polls polls after registration);
  ModifyListener accepts the NLB protocols and both create/modify refuse a forward to an
  incompatible target group; target groups keep an accurate LoadBalancerArns list; SetSubnets
  follows the NLB rules (one or more zones, one subnet per zone, all in the NLB's VPC, a
  different subnet in a zone already used refused until the old one is removed by its own call).
* Faults: the next K requests matching a service/action can be answered with an injected error
  (throttling, 5xx) before they reach moto.

Control endpoints (JSON bodies), served on the same port:
  GET  /spider-moto/health                       -> {"ok": true, "polls": N}
  POST /spider-moto/reset                        clears moto and everything below
  POST /spider-moto/polls        {"polls": N, "initialPolls": M, "existing"?: true, "transitionMs"?: T}
       ("existing": objects already CREATING / provisioning finish within N describes too;
        "transitionMs": time-based mode, a transitional object or update also lasts T ms of wall time)
  GET  /spider-moto/updates      every EKS update with its cluster, node group, start and end (epoch s)
  POST /spider-moto/target-health {"targetId", "state", "reason"?, "description"?, "targetGroupArn"?}
       (state "clear" removes the override)
  POST /spider-moto/faults       {"service"?, "action"?, "count", "status", "code", "message"?}
  DELETE /spider-moto/faults     disarms all faults; GET lists the armed ones
  POST /spider-moto/fail-next    {"kind": "cluster"|"nodegroup"|"update", "issues": [{"code","message"}]}
  GET  /spider-moto/recording    moto's request recording, parsed into [{service, action, method, path}]

Usage: python3 spider_moto.py --port 0 [--polls 2] [--initial-polls 0] [--exit-with-parent]
Prints `SPIDER_MOTO_LISTENING port=<port>` once serving (port 0 = pick a free one).
"""

import argparse
import base64
import datetime
import io
import json
import os
import re
import signal
import sys
import threading
import time
import uuid
from typing import Any
from urllib.parse import parse_qs, urlparse

# EKS roles attach AWS managed policies (AmazonEKSClusterPolicy, …), which moto only knows when
# told to load them before its IAM backend is first built.
os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")

import moto.eks.models as eks_models  # noqa: E402
import moto.eks.urls as eks_urls
import moto.elbv2.models as elbv2_models
from moto.eks.exceptions import (
    InvalidParameterException,
    InvalidRequestException,
    ResourceInUseException,
    ResourceNotFoundException,
)
from moto.eks.responses import EKSResponse
from moto.elbv2.exceptions import ELBClientError
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app


class LauncherState:
    """Everything the patches remember besides moto's own backends; cleared by reset."""

    def __init__(self, polls: int, initial_polls: int) -> None:
        self.lock = threading.RLock()
        self.polls = polls
        self.initial_polls = initial_polls
        # Time-based mode (0 = off): a transitional object also stays so for this many ms of wall time.
        self.transition_ms = 0
        self.clear()

    def clear(self) -> None:
        with self.lock:
            self.target_health: dict[tuple[str, str], dict[str, str]] = {}
            self.initial_left: dict[tuple[str, str], int] = {}
            self.faults: list[dict[str, Any]] = []
            self.fail_next: dict[str, list[dict[str, str]]] = {}
            self.updates: dict[str, dict[str, Any]] = {}


STATE = LauncherState(polls=2, initial_polls=0)


def _hold(obj: Any) -> None:
    """Starts a transitional period: `polls` describes and, in time-based mode, `transition_ms` of wall time."""
    obj._spider_polls = STATE.polls
    obj._spider_until = time.monotonic() + STATE.transition_ms / 1000


def _held(obj: Any) -> bool:
    """One describe of a transitional object: True while it stays transitional."""
    if obj._spider_polls > 0:
        obj._spider_polls -= 1
        return True
    return time.monotonic() < getattr(obj, "_spider_until", 0)


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def _minor(version: str) -> tuple[int, int]:
    major, minor = version.split(".")[:2]
    return int(major), int(minor)


def _not_found(message: str) -> ResourceNotFoundException:
    return ResourceNotFoundException(
        clusterName=None, nodegroupName=None, fargateProfileName=None, addonName=None, message=message
    )


def _in_use(message: str) -> ResourceInUseException:
    return ResourceInUseException(clusterName=None, nodegroupName=None, addonName=None, message=message)


# --------------------------------------------------------------------------------------------
# EKS: transitional states


_orig_cluster_init = eks_models.Cluster.__init__
_orig_nodegroup_init = eks_models.Nodegroup.__init__


def _cluster_init(self: Any, *args: Any, **kwargs: Any) -> None:
    _orig_cluster_init(self, *args, **kwargs)
    self.status = "CREATING"
    self.health = {"issues": []}
    _hold(self)
    self._spider_fail = STATE.fail_next.pop("cluster", None)


def _nodegroup_init(self: Any, *args: Any, **kwargs: Any) -> None:
    _orig_nodegroup_init(self, *args, **kwargs)
    self.status = "CREATING"
    self.health = {"issues": []}
    # moto invents an SSH key when none is given; EKS leaves remoteAccess unset.
    if not kwargs.get("remote_access"):
        self.remote_access = None
    _hold(self)
    self._spider_fail = STATE.fail_next.pop("nodegroup", None)


eks_models.Cluster.__init__ = _cluster_init  # type: ignore[method-assign]
eks_models.Nodegroup.__init__ = _nodegroup_init  # type: ignore[method-assign]


def _clamp_existing_polls(polls: int) -> None:
    """Objects already transitional finish within `polls` describes (as a cloud catches up on
    work an interrupted client started); used by the crash tests after the kill."""
    from moto.eks.models import eks_backends
    from moto.elbv2.models import elbv2_backends

    def clamp(obj: Any) -> None:
        obj._spider_polls = min(getattr(obj, "_spider_polls", 0), polls)
        obj._spider_until = 0

    for regions in list(eks_backends.values()):
        for backend in list(regions.values()):
            for cluster in list(backend.clusters.values()):
                clamp(cluster)
                for ng in list(cluster.nodegroups.values()):
                    clamp(ng)
    for regions in list(elbv2_backends.values()):
        for backend in list(regions.values()):
            for lb in list(backend.load_balancers.values()):
                clamp(lb)


def _advance(obj: Any, active: str, failed: str) -> bool:
    """One describe of a transitional object. Returns True when a DELETING object is now gone."""
    if obj.status not in ("CREATING", "DELETING"):
        return False
    if _held(obj):
        return False
    if obj.status == "DELETING":
        return True
    if obj._spider_fail:
        obj.status = failed
        obj.health = {"issues": [dict(i) for i in obj._spider_fail]}
    else:
        obj.status = active
    return False


_orig_create_cluster = eks_models.EKSBackend.create_cluster


def _create_cluster(self: Any, name: str, role_arn: str, resources_vpc_config: dict[str, Any], **kwargs: Any) -> Any:
    from moto.ec2.models import ec2_backends

    ec2 = ec2_backends[self.account_id][self.region_name]
    subnet_ids = list((resources_vpc_config or {}).get("subnetIds") or [])
    azs = set()
    vpc_id = None
    for sid in subnet_ids:
        try:
            subnet = ec2.get_subnet(sid)
        except Exception:
            subnet = None
        if subnet is None:
            raise InvalidParameterException(message=f"Subnet {sid} not found")
        azs.add(subnet.availability_zone)
        vpc_id = subnet.vpc_id
    if len(azs) < 2:
        raise InvalidParameterException(
            message="Subnets specified must be in at least two different AZs"
        )
    config = dict(resources_vpc_config)
    config["vpcId"] = vpc_id
    cluster = _orig_create_cluster(self, name=name, role_arn=role_arn, resources_vpc_config=config, **kwargs)
    # EKS keeps the Availability Zones chosen at creation: later subnets must stay inside them.
    cluster._spider_azs = azs
    return cluster


_orig_describe_cluster = eks_models.EKSBackend.describe_cluster


def _describe_cluster(self: Any, name: str) -> Any:
    with STATE.lock:
        cluster = _orig_describe_cluster(self, name)
        if _advance(cluster, "ACTIVE", "FAILED"):
            self.clusters.pop(name, None)
            self.cluster_count -= 1
            raise _not_found(eks_models.CLUSTER_NOT_FOUND_MSG.format(clusterName=name))
        return cluster


def _delete_cluster(self: Any, name: str) -> Any:
    with STATE.lock:
        cluster = self.clusters.get(name)
        if cluster is None:
            raise _not_found(eks_models.CLUSTER_NOT_FOUND_MSG.format(clusterName=name))
        eks_models.validate_safe_to_delete(cluster)
        if cluster.status != "DELETING":
            cluster.status = "DELETING"
            _hold(cluster)
        return cluster


_orig_describe_nodegroup = eks_models.EKSBackend.describe_nodegroup


def _reconcile_nodes(ng: Any, desired: int) -> None:
    """Runs or terminates EC2 instances so the group has `desired` nodes, tagged as EKS tags them."""
    from moto.ec2.models import ec2_backends

    _, _, _, region, account, _ = ng.arn.split(":", 5)
    ec2 = ec2_backends[account][region]
    nodes: list[str] = getattr(ng, "_spider_nodes", [])
    live = [i for i in nodes if (inst := ec2.get_instance_by_id(i)) is not None and inst.state in ("pending", "running")]
    if len(live) > desired:
        ec2.terminate_instances(live[desired:])
        live = live[:desired]
    subnets = list(ng.subnets or []) or [None]
    image = next(iter(ec2.amis), "ami-12c6146b")
    while len(live) < desired:
        reservation = ec2.run_instances(
            image, 1, None, [],
            instance_type=(ng.instance_types or ["t3.medium"])[0], is_instance_type_default=False,
            region_name=region, subnet_id=subnets[len(live) % len(subnets)],
            tags={"instance": {
                "eks:cluster-name": ng.cluster_name,
                "eks:nodegroup-name": ng.nodegroup_name,
                f"kubernetes.io/cluster/{ng.cluster_name}": "owned",
            }},
        )
        live.append(reservation.instances[0].id)
    ng._spider_nodes = live


def _describe_nodegroup(self: Any, cluster_name: str, nodegroup_name: str) -> Any:
    with STATE.lock:
        ng = _orig_describe_nodegroup(self, cluster_name, nodegroup_name)
        before = ng.status
        if _advance(ng, "ACTIVE", "CREATE_FAILED"):
            _reconcile_nodes(ng, 0)
            cluster = self.clusters[cluster_name]
            cluster.nodegroups.pop(nodegroup_name, None)
            cluster.nodegroup_count -= 1
            raise _not_found(eks_models.NODEGROUP_NOT_FOUND_MSG.format(nodegroupName=nodegroup_name))
        if before == "CREATING" and ng.status == "ACTIVE":
            _reconcile_nodes(ng, int(ng.scaling_config.get("desiredSize", 0)))
        return ng


def _delete_nodegroup(self: Any, cluster_name: str, nodegroup_name: str) -> Any:
    with STATE.lock:
        ng = _orig_describe_nodegroup(self, cluster_name, nodegroup_name)
        if ng.status in ("CREATING", "UPDATING"):
            raise _in_use(f"Nodegroup {nodegroup_name} is currently {ng.status}")
        if ng.status != "DELETING":
            ng.status = "DELETING"
            _hold(ng)
        return ng


_orig_list_nodegroups = eks_models.EKSBackend.list_nodegroups


def _list_nodegroups(self: Any, cluster_name: str, max_results: int, next_token: str | None) -> Any:
    # moto answers a KeyError (HTTP 500) for an unknown cluster; EKS says ResourceNotFound.
    if cluster_name not in self.clusters:
        raise _not_found(eks_models.CLUSTER_NOT_FOUND_MSG.format(clusterName=cluster_name))
    return _orig_list_nodegroups(self, cluster_name, max_results, next_token)


eks_models.EKSBackend.list_nodegroups = _list_nodegroups  # type: ignore[method-assign]
eks_models.EKSBackend.create_cluster = _create_cluster  # type: ignore[method-assign]
eks_models.EKSBackend.describe_cluster = _describe_cluster  # type: ignore[method-assign]
eks_models.EKSBackend.delete_cluster = _delete_cluster  # type: ignore[method-assign]
eks_models.EKSBackend.describe_nodegroup = _describe_nodegroup  # type: ignore[method-assign]
eks_models.EKSBackend.delete_nodegroup = _delete_nodegroup  # type: ignore[method-assign]


# --------------------------------------------------------------------------------------------
# EKS: updates (UpdateClusterVersion, UpdateNodegroupVersion, UpdateNodegroupConfig)


def _new_update(cluster_name: str, nodegroup_name: str | None, kind: str, params: list[dict[str, str]], apply: Any, target: Any) -> dict[str, Any]:
    fail = STATE.fail_next.pop("update", None)
    record = {
        "id": str(uuid.uuid4()),
        "status": "InProgress",
        "type": kind,
        "params": params,
        "createdAt": _now(),
        "errors": [],
        "_cluster": cluster_name,
        "_nodegroup": nodegroup_name,
        "_polls": STATE.polls,
        "_until": time.monotonic() + STATE.transition_ms / 1000,
        "_started": time.time(),
        "_done": None,
        "_apply": apply,
        "_target": target,
        "_fail": fail,
    }
    STATE.updates[record["id"]] = record
    target.status = "UPDATING"
    return record


def _public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if not k.startswith("_")}


def _advance_update(record: dict[str, Any]) -> None:
    if record["status"] != "InProgress":
        return
    if record["_polls"] > 0:
        record["_polls"] -= 1
        return
    if time.monotonic() < record["_until"]:
        return
    record["_done"] = time.time()
    target = record["_target"]
    if record["_fail"]:
        record["status"] = "Failed"
        record["errors"] = [
            {"errorCode": i.get("code", "Unknown"), "errorMessage": i.get("message", ""), "resourceIds": [record["_nodegroup"] or record["_cluster"]]}
            for i in record["_fail"]
        ]
    else:
        record["_apply"]()
        record["status"] = "Successful"
    target.status = "ACTIVE"


def _cluster_or_404(backend: Any, name: str) -> Any:
    cluster = backend.clusters.get(name)
    if cluster is None:
        raise _not_found(eks_models.CLUSTER_NOT_FOUND_MSG.format(clusterName=name))
    return cluster


def _nodegroup_or_404(cluster: Any, name: str) -> Any:
    ng = cluster.nodegroups.get(name)
    if ng is None:
        raise _not_found(eks_models.NODEGROUP_NOT_FOUND_MSG.format(nodegroupName=name))
    return ng


def _require_no_update(cluster_name: str, nodegroup_name: str | None) -> None:
    for rec in STATE.updates.values():
        if rec["_cluster"] == cluster_name and rec["_nodegroup"] == nodegroup_name and rec["status"] == "InProgress":
            raise _in_use("An update is already in progress")


def update_cluster_version(self: Any, name: str, version: str) -> dict[str, Any]:
    with STATE.lock:
        cluster = _cluster_or_404(self, name)
        _require_no_update(name, None)
        if cluster.status != "ACTIVE":
            raise InvalidRequestException(message=eks_models.CLUSTER_NOT_READY_MSG.format(clusterName=name))
        cur, nxt = _minor(cluster.version), _minor(version)
        if nxt[0] != cur[0] or nxt[1] != cur[1] + 1:
            raise InvalidParameterException(
                message=f"Unsupported Kubernetes minor version update from {cluster.version} to {version}"
            )
        # EKS user guide, "Update existing cluster to new Kubernetes version": before the control
        # plane is updated, the managed node groups must run its current minor version.
        lagging = sorted(ng.nodegroup_name for ng in cluster.nodegroups.values() if _minor(ng.version) != cur)
        if lagging:
            raise InvalidRequestException(
                message=f"Nodegroups {', '.join(lagging)} must be on the cluster's current Kubernetes version "
                f"{cluster.version} before the control plane is updated to {version}"
            )

        def apply() -> None:
            cluster.version = version
            cluster.platformVersion = "eks.1"

        return _new_update(name, None, "VersionUpdate", [{"type": "Version", "value": version}, {"type": "PlatformVersion", "value": "eks.1"}], apply, cluster)


def update_nodegroup_version(self: Any, cluster_name: str, nodegroup_name: str, version: str | None, release_version: str | None) -> dict[str, Any]:
    with STATE.lock:
        cluster = _cluster_or_404(self, cluster_name)
        ng = _nodegroup_or_404(cluster, nodegroup_name)
        _require_no_update(cluster_name, nodegroup_name)
        if ng.status != "ACTIVE":
            raise _in_use(f"Nodegroup {nodegroup_name} is currently {ng.status}")
        target = version or cluster.version
        if _minor(target) > _minor(cluster.version):
            raise InvalidParameterException(
                message=f"Requested Nodegroup Kubernetes Version {target} is greater than the Cluster Kubernetes Version {cluster.version}"
            )
        if _minor(target) < _minor(ng.version):
            raise InvalidParameterException(message=f"Nodegroup version {ng.version} cannot be downgraded to {target}")
        release = release_version or f"{target}.0-20250101"

        def apply() -> None:
            ng.version = target
            ng.release_version = release

        return _new_update(cluster_name, nodegroup_name, "VersionUpdate", [{"type": "Version", "value": target}, {"type": "ReleaseVersion", "value": release}], apply, ng)


def _update_nodegroup_config(self: Any, cluster_name: str, nodegroup_name: str, scaling_config: dict[str, int] | None = None, **kwargs: Any) -> dict[str, Any]:
    with STATE.lock:
        cluster = _cluster_or_404(self, cluster_name)
        ng = _nodegroup_or_404(cluster, nodegroup_name)
        _require_no_update(cluster_name, nodegroup_name)
        if ng.status != "ACTIVE":
            raise _in_use(f"Nodegroup {nodegroup_name} is currently {ng.status}")
        merged = dict(ng.scaling_config)
        merged.update(scaling_config or {})
        if merged["minSize"] > merged["desiredSize"]:
            raise InvalidParameterException(message=f"Minimum capacity {merged['minSize']} can't be greater than desired size {merged['desiredSize']}")
        if merged["desiredSize"] > merged["maxSize"]:
            raise InvalidParameterException(message=f"Desired capacity {merged['desiredSize']} can't be greater than max size {merged['maxSize']}")
        if merged["maxSize"] < 1:
            raise InvalidParameterException(message="Maximum capacity must be at least 1")

        def apply() -> None:
            ng.scaling_config = merged
            _reconcile_nodes(ng, int(merged["desiredSize"]))

        return _new_update(cluster_name, nodegroup_name, "ConfigUpdate", [{"type": "ScalingConfig", "value": json.dumps(scaling_config or {})}], apply, ng)


def _subnet_rule_issues(ec2: Any, cluster: Any, subnet_ids: list[str]) -> str | None:
    """EKS's rule for new control-plane subnets: existing, in the cluster's VPC, in two or more of
    the Availability Zones chosen at creation and in no other."""
    vpc_id = cluster.resources_vpc_config.get("vpcId")
    azs = set()
    for sid in subnet_ids:
        try:
            subnet = ec2.get_subnet(sid)
        except Exception:
            return f"Subnet {sid} not found"
        if subnet.vpc_id != vpc_id:
            return f"Subnet {sid} is in VPC {subnet.vpc_id}, not in the cluster's VPC {vpc_id}"
        if subnet.availability_zone not in cluster._spider_azs:
            return (f"Subnet {sid} is in Availability Zone {subnet.availability_zone}; the cluster's subnets must be in "
                    f"the Availability Zones chosen when it was created: {', '.join(sorted(cluster._spider_azs))}")
        azs.add(subnet.availability_zone)
    if len(azs) < 2:
        return "Subnets specified must be in at least two different AZs"
    return None


def _security_group_issues(ec2: Any, cluster: Any, group_ids: list[str]) -> str | None:
    vpc_id = cluster.resources_vpc_config.get("vpcId")
    if len(group_ids) > 5:
        return "You can specify at most 5 security groups"
    for gid in group_ids:
        group = ec2.get_security_group_from_id(gid)
        if group is None:
            return f"Security group {gid} not found"
        if group.vpc_id != vpc_id:
            return f"Security group {gid} is in VPC {group.vpc_id}, not in the cluster's VPC {vpc_id}"
    return None


VPC_CONFIG_KEYS = {"subnetIds": "Subnets", "securityGroupIds": "SecurityGroups"}


def update_cluster_config(self: Any, name: str, resources_vpc_config: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
    """UpdateClusterConfig for the VPC configuration: one update type per call, EKS's subnet and
    security-group rules, an update that stays InProgress for N DescribeUpdate polls."""
    from moto.ec2.models import ec2_backends

    with STATE.lock:
        cluster = _cluster_or_404(self, name)
        _require_no_update(name, None)
        if cluster.status != "ACTIVE":
            raise InvalidRequestException(message=eks_models.CLUSTER_NOT_READY_MSG.format(clusterName=name))
        others = [k for k, v in kwargs.items() if v and k != "client_request_token"]
        if others or not resources_vpc_config:
            raise InvalidParameterException(message="Only one type of update can be allowed.")
        unknown = sorted(set(resources_vpc_config) - set(VPC_CONFIG_KEYS))
        if unknown:
            raise InvalidParameterException(message=f"the extended moto does not model {', '.join(unknown)} updates")
        ec2 = ec2_backends[self.account_id][self.region_name]
        config = {k: list(v) for k, v in resources_vpc_config.items()}
        problem = None
        if "subnetIds" in config:
            problem = _subnet_rule_issues(ec2, cluster, config["subnetIds"])
        if problem is None and "securityGroupIds" in config:
            problem = _security_group_issues(ec2, cluster, config["securityGroupIds"])
        if problem:
            raise InvalidParameterException(message=problem)
        params = [{"type": VPC_CONFIG_KEYS[k], "value": json.dumps(v)} for k, v in config.items()]

        def apply() -> None:
            cluster.resources_vpc_config = {**cluster.resources_vpc_config, **config}

        return _new_update(name, None, "VpcConfigUpdate", params, apply, cluster)


def describe_update(self: Any, name: str, update_id: str, nodegroup_name: str | None) -> dict[str, Any]:
    with STATE.lock:
        _cluster_or_404(self, name)
        rec = STATE.updates.get(update_id)
        if rec is None or rec["_cluster"] != name or (nodegroup_name and rec["_nodegroup"] != nodegroup_name):
            raise _not_found(f"No update found for ID: {update_id}.")
        _advance_update(rec)
        return _public(rec)


def list_updates(self: Any, name: str, nodegroup_name: str | None) -> list[str]:
    with STATE.lock:
        _cluster_or_404(self, name)
        return [r["id"] for r in STATE.updates.values() if r["_cluster"] == name and r["_nodegroup"] == nodegroup_name]


eks_models.EKSBackend.update_cluster_version = update_cluster_version  # type: ignore[attr-defined]
eks_models.EKSBackend.update_nodegroup_version = update_nodegroup_version  # type: ignore[attr-defined]
eks_models.EKSBackend.update_nodegroup_config = _update_nodegroup_config  # type: ignore[method-assign]
eks_models.EKSBackend.update_cluster_config = update_cluster_config  # type: ignore[method-assign]
eks_models.EKSBackend.describe_update = describe_update  # type: ignore[attr-defined]
eks_models.EKSBackend.list_updates = list_updates  # type: ignore[attr-defined]


def _r_update_cluster_version(self: Any) -> Any:
    from moto.core.responses import ActionResult

    update = self.eks_backend.update_cluster_version(self._get_param("name"), self._get_param("version"))
    return ActionResult({"update": _public(update)})


def _r_update_nodegroup_version(self: Any) -> Any:
    from moto.core.responses import ActionResult

    update = self.eks_backend.update_nodegroup_version(
        self._get_param("name"), self._get_param("nodegroupName"), self._get_param("version"), self._get_param("releaseVersion")
    )
    return ActionResult({"update": _public(update)})


def _r_describe_update(self: Any) -> Any:
    from moto.core.responses import ActionResult

    update = self.eks_backend.describe_update(self._get_param("name"), self._get_param("updateId"), self._get_param("nodegroupName"))
    return ActionResult({"update": update})


def _r_list_updates(self: Any) -> Any:
    from moto.core.responses import ActionResult

    ids = self.eks_backend.list_updates(self._get_param("name"), self._get_param("nodegroupName"))
    return ActionResult({"updateIds": ids})


def _r_update_nodegroup_config(self: Any) -> Any:
    from moto.core.responses import ActionResult

    update = self.eks_backend.update_nodegroup_config(
        cluster_name=self._get_param("name"),
        nodegroup_name=self._get_param("nodegroupName"),
        scaling_config=self._get_param("scalingConfig"),
    )
    return ActionResult({"update": _public(update)})


def _r_update_cluster_config(self: Any) -> Any:
    from moto.core.responses import ActionResult

    update = self.eks_backend.update_cluster_config(
        self._get_param("name"),
        resources_vpc_config=self._get_param("resourcesVpcConfig"),
        logging=self._get_param("logging"),
        kubernetes_network_config=self._get_param("kubernetesNetworkConfig"),
        remote_network_config=self._get_param("remoteNetworkConfig"),
        access_config=self._get_param("accessConfig"),
        upgrade_policy=self._get_param("upgradePolicy"),
    )
    return ActionResult({"update": _public(update)})


EKSResponse.update_cluster_version = _r_update_cluster_version  # type: ignore[attr-defined]
EKSResponse.update_cluster_config = _r_update_cluster_config  # type: ignore[method-assign]
EKSResponse.update_nodegroup_version = _r_update_nodegroup_version  # type: ignore[attr-defined]
EKSResponse.describe_update = _r_describe_update  # type: ignore[attr-defined]
EKSResponse.list_updates = _r_list_updates  # type: ignore[attr-defined]
EKSResponse.update_nodegroup_config = _r_update_nodegroup_config  # type: ignore[method-assign]

eks_urls.url_paths.update({
    "{0}/clusters/(?P<name>[^/]+)/updates$": eks_urls.response.dispatch,
    "{0}/clusters/(?P<name>[^/]+)/updates/(?P<updateId>[^/]+)$": eks_urls.response.dispatch,
    "{0}/clusters/(?P<name>[^/]+)/node-groups/(?P<nodegroupName>[^/]+)/update-version$": eks_urls.response.dispatch,
})


# --------------------------------------------------------------------------------------------
# EKS: tags on node groups too (moto tags clusters only)


def _find_taggable(backend: Any, arn: str) -> Any:
    for cluster in backend.clusters.values():
        if cluster.arn == arn:
            return cluster
        for ng in cluster.nodegroups.values():
            if ng.arn == arn:
                return ng
    raise _not_found("Resource was not found")


def _tag_resource(self: Any, resource_arn: str, tags: dict[str, str]) -> None:
    _find_taggable(self, resource_arn).tags.update(tags)


def _untag_resource(self: Any, resource_arn: str, tag_keys: Any) -> None:
    obj = _find_taggable(self, resource_arn)
    for key in tag_keys if isinstance(tag_keys, list) else [tag_keys]:
        obj.tags.pop(key, None)


def _list_tags_for_resource(self: Any, resource_arn: str) -> dict[str, str]:
    return _find_taggable(self, resource_arn).tags


eks_models.EKSBackend.tag_resource = _tag_resource  # type: ignore[method-assign]
eks_models.EKSBackend.untag_resource = _untag_resource  # type: ignore[method-assign]
eks_models.EKSBackend.list_tags_for_resource = _list_tags_for_resource  # type: ignore[method-assign]


# --------------------------------------------------------------------------------------------
# ELBv2: provisioning state, target health, NLB listener protocols


NLB_COMPATIBLE = {"TCP": {"TCP", "TCP_UDP"}, "UDP": {"UDP", "TCP_UDP"}, "TCP_UDP": {"TCP_UDP"}, "TLS": {"TCP", "TLS"}}

_orig_lb_init = elbv2_models.FakeLoadBalancer.__init__


def _lb_init(self: Any, *args: Any, **kwargs: Any) -> None:
    _orig_lb_init(self, *args, **kwargs)
    _hold(self)


elbv2_models.FakeLoadBalancer.__init__ = _lb_init  # type: ignore[method-assign]
elbv2_models.FakeLoadBalancer.activate = lambda self: None  # type: ignore[method-assign]

_orig_describe_lbs = elbv2_models.ELBv2Backend.describe_load_balancers


def _describe_lbs(self: Any, arns: Any, names: Any) -> Any:
    with STATE.lock:
        result = _orig_describe_lbs(self, arns, names)
        for lb in result:
            if lb.state == "provisioning":
                if not _held(lb):
                    lb.state = "active"
        return result


elbv2_models.ELBv2Backend.describe_load_balancers = _describe_lbs  # type: ignore[method-assign]


def _forward_tgs(backend: Any, actions: list[Any]) -> list[Any]:
    tgs = []
    for action in actions or []:
        data = action.data if hasattr(action, "data") else action
        if (data.get("Type") or getattr(action, "type", None)) != "forward":
            continue
        for arn in backend._get_target_group_arns_from(action_data=data):
            tg = backend.target_groups.get(arn)
            if tg is not None:
                tgs.append(tg)
    return tgs


def _check_compatible(backend: Any, lb: Any, protocol: str, actions: list[Any]) -> None:
    if lb.type != "network":
        return
    allowed = NLB_COMPATIBLE.get(protocol, {protocol})
    for tg in _forward_tgs(backend, actions):
        if tg.protocol not in allowed:
            raise ELBClientError(
                "IncompatibleProtocols",
                f"Listener protocol '{protocol}' must be compatible with target group protocol '{tg.protocol}'",
            )


def _sync_tg_lb_arns(backend: Any) -> None:
    """Recomputes every target group's LoadBalancerArns from the listeners, as ELBv2 reports it."""
    for tg in backend.target_groups.values():
        tg.load_balancer_arns = []
    for lb in backend.load_balancers.values():
        for listener in lb.listeners.values():
            for rule in listener.rules.values():
                for tg in _forward_tgs(backend, rule.actions):
                    if lb.arn not in tg.load_balancer_arns:
                        tg.load_balancer_arns.append(lb.arn)


_orig_create_listener = elbv2_models.ELBv2Backend.create_listener


def _create_listener(self: Any, load_balancer_arn: str, protocol: str, port: str, ssl_policy: str, certificate: Any, actions: list[Any], *args: Any, **kwargs: Any) -> Any:
    with STATE.lock:
        lb = self.load_balancers.get(load_balancer_arn)
        if lb is not None:
            _check_compatible(self, lb, protocol, [elbv2_models.FakeAction(a) for a in actions])
        listener = _orig_create_listener(self, load_balancer_arn, protocol, port, ssl_policy, certificate, actions, *args, **kwargs)
        _sync_tg_lb_arns(self)
        return listener


_orig_modify_listener = elbv2_models.ELBv2Backend.modify_listener


def _modify_listener(self: Any, arn: str, port: Any = None, protocol: Any = None, ssl_policy: Any = None, certificates: Any = None, actions: Any = None) -> Any:
    with STATE.lock:
        listener = self.describe_listeners(load_balancer_arn=None, listener_arns=[arn])[0]
        lb = self.load_balancers[listener.load_balancer_arn]
        nlb_protocol = lb.type == "network" and protocol in ("UDP", "TCP_UDP", "TLS", "TCP")
        new_actions = [elbv2_models.FakeAction(a) for a in actions] if actions else listener.default_actions
        _check_compatible(self, lb, protocol or listener.protocol, new_actions)
        result = _orig_modify_listener(
            self, arn, port=port, protocol=None if nlb_protocol else protocol, ssl_policy=ssl_policy, certificates=certificates, actions=actions or []
        )
        if nlb_protocol:
            result.protocol = protocol
        _sync_tg_lb_arns(self)
        return result


_orig_delete_listener = elbv2_models.ELBv2Backend.delete_listener
_orig_delete_lb = elbv2_models.ELBv2Backend.delete_load_balancer


def _delete_listener(self: Any, listener_arn: str) -> Any:
    with STATE.lock:
        result = _orig_delete_listener(self, listener_arn)
        _sync_tg_lb_arns(self)
        return result


def _delete_lb(self: Any, arn: str) -> None:
    with STATE.lock:
        _orig_delete_lb(self, arn)
        _sync_tg_lb_arns(self)


elbv2_models.ELBv2Backend.create_listener = _create_listener  # type: ignore[method-assign]
elbv2_models.ELBv2Backend.modify_listener = _modify_listener  # type: ignore[method-assign]
elbv2_models.ELBv2Backend.delete_listener = _delete_listener  # type: ignore[method-assign]
elbv2_models.ELBv2Backend.delete_load_balancer = _delete_lb  # type: ignore[method-assign]

_orig_register = elbv2_models.FakeTargetGroup.register
_orig_health_for = elbv2_models.FakeTargetGroup.health_for


def _register(self: Any, targets: list[dict[str, Any]]) -> None:
    with STATE.lock:
        fresh = [t["Id"] for t in targets if t["Id"] not in self.targets]
        _orig_register(self, targets)
        for tid in fresh:
            if STATE.initial_polls > 0:
                STATE.initial_left[(self.arn, tid)] = STATE.initial_polls


def _health_for(self: Any, target: dict[str, Any], ec2_backend: Any) -> Any:
    status = _orig_health_for(self, target, ec2_backend)
    if target["Id"] not in self.targets or status.status != "healthy":
        return status
    if not self.load_balancer_arns:
        # ELBv2 does not health-check a group no load balancer uses.
        return elbv2_models.FakeHealthStatus(
            target["Id"], status.port, self.health_check_port, "unused",
            "Target.NotInUse", "Target group is not configured to receive traffic from the load balancer",
        )
    with STATE.lock:
        key = (self.arn, target["Id"])
        left = STATE.initial_left.get(key, 0)
        if left > 0:
            STATE.initial_left[key] = left - 1
            return elbv2_models.FakeHealthStatus(
                target["Id"], status.port, self.health_check_port, "initial",
                "Elb.RegistrationInProgress", "Target registration is in progress",
            )
        override = STATE.target_health.get(key) or STATE.target_health.get(("", target["Id"]))
    if override:
        return elbv2_models.FakeHealthStatus(
            target["Id"], status.port, self.health_check_port, override["state"],
            override.get("reason"), override.get("description"),
        )
    return status


elbv2_models.FakeTargetGroup.register = _register  # type: ignore[method-assign]
elbv2_models.FakeTargetGroup.health_for = _health_for  # type: ignore[method-assign]


_orig_set_subnets = elbv2_models.ELBv2Backend.set_subnets


def _set_subnets(self: Any, arn: str, subnets: list[str], subnet_mappings: list[dict[str, Any]]) -> Any:
    """SetSubnets with ELBv2's network-load-balancer rules (moto applies the ALB ones to every type).

    An NLB takes one or more zones, one subnet each, all in its VPC; zones may be added and
    removed; a different subnet in a zone the NLB already uses is refused — AWS requires the old
    subnet's removal to complete first, as a separate call.
    """
    with STATE.lock:
        lb = self.load_balancers.get(arn)
        if lb is None or lb.type != "network":
            return _orig_set_subnets(self, arn, subnets, subnet_mappings)
        ids = list(subnets or []) + [m["SubnetId"] for m in subnet_mappings or []]
        if not ids:
            raise ELBClientError("InvalidConfigurationRequest", "At least one subnet must be specified")
        current = {s.availability_zone: s.id for s in lb.subnets}
        chosen: dict[str, Any] = {}
        for subnet_id in ids:
            try:
                subnet = self.ec2_backend.get_subnet(subnet_id)
            except Exception:
                raise ELBClientError("SubnetNotFound", f"The subnet ID '{subnet_id}' does not exist")
            if subnet.vpc_id != lb.vpc_id:
                raise ELBClientError(
                    "InvalidConfigurationRequest",
                    f"Subnet '{subnet_id}' is in VPC '{subnet.vpc_id}', not in the load balancer's VPC '{lb.vpc_id}'",
                )
            zone = subnet.availability_zone
            if zone in chosen:
                raise ELBClientError("InvalidConfigurationRequest", "More than 1 subnet cannot be specified for 1 availability zone")
            if current.get(zone, subnet_id) != subnet_id:
                raise ELBClientError(
                    "InvalidConfigurationRequest",
                    f"Availability Zone '{zone}' already uses subnet '{current[zone]}'; remove it in a separate "
                    f"SetSubnets call before adding subnet '{subnet_id}' in the same zone",
                )
            chosen[zone] = subnet
        lb.subnets = list(chosen.values())
        return [elbv2_models.AvailabilityZone(subnet) for subnet in lb.subnets]


elbv2_models.ELBv2Backend.set_subnets = _set_subnets  # type: ignore[method-assign]


# --------------------------------------------------------------------------------------------
# Request recording, parsed into service/action pairs


_REST_ROUTES: dict[str, list[tuple[str, Any, str]]] = {}


def _rest_routes(service: str) -> list[tuple[str, Any, str]]:
    if service not in _REST_ROUTES:
        import botocore.session

        model = botocore.session.get_session().get_service_model(service)
        routes = []
        for op_name in model.operation_names:
            http = model.operation_model(op_name).http
            uri = http["requestUri"].split("?")[0]
            pattern = re.sub(r"\{[^}]+\+\}", ".+", uri)
            pattern = re.sub(r"\{[^}]+\}", "[^/]+", pattern)
            routes.append((http["method"], re.compile("^" + pattern.rstrip("/") + "/?$"), op_name))
        routes.sort(key=lambda r: -len(r[1].pattern))
        # Labels such as {resourceArn} hold slashes once decoded; try a permissive match last.
        routes += [(verb, re.compile(p.pattern.replace("[^/]+", ".+")), name) for verb, p, name in routes]
        _REST_ROUTES[service] = routes
    return _REST_ROUTES[service]


def _service_of(headers: dict[str, str]) -> str:
    auth = headers.get("Authorization") or headers.get("authorization") or ""
    m = re.search(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/", auth)
    return m.group(1) if m else "unknown"


def _action_of(service: str, method: str, path: str, body: str) -> str:
    form = parse_qs(body) if body else {}
    if "Action" in form:
        return form["Action"][0]
    if service in ("eks",):
        for verb, pattern, name in _rest_routes(service):
            if verb == method and pattern.match(path):
                return name
    return f"{method} {path}"


def parsed_recording() -> list[dict[str, str]]:
    from moto.moto_api import recorder

    try:
        raw = recorder.download_recording()
    except FileNotFoundError:
        return []
    calls = []
    for line in raw.splitlines():
        if not line.strip():
            continue
        entry = json.loads(line)
        body = entry.get("body") or ""
        if entry.get("body_encoded"):
            body = base64.b64decode(body).decode("utf-8", "replace")
        url = urlparse(entry["url"])
        service = _service_of(entry.get("headers") or {})
        calls.append({
            "service": service,
            "action": _action_of(service, entry["method"], url.path, body),
            "method": entry["method"],
            "path": url.path,
        })
    return calls


# --------------------------------------------------------------------------------------------
# Front middleware: control endpoints and fault injection


def _json_response(start_response: Any, status: int, payload: Any) -> list[bytes]:
    body = json.dumps(payload, default=str).encode("utf-8")
    start_response(f"{status} {'OK' if status < 400 else 'Error'}", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def _read_body(environ: dict[str, Any]) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def _fault_body(service: str, code: str, message: str) -> tuple[str, bytes]:
    if service in ("eks",):
        return "application/json", json.dumps({"message": message}).encode("utf-8")
    xml = (
        "<ErrorResponse><Error><Type>Sender</Type>"
        f"<Code>{code}</Code><Message>{message}</Message></Error>"
        f"<RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
    )
    return "text/xml", xml.encode("utf-8")


class SpiderMiddleware:
    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/spider-moto/"):
            return self.control(environ, start_response, path[len("/spider-moto/"):])
        fault = self.match_fault(environ, path)
        if fault is not None:
            service = _service_of({"Authorization": environ.get("HTTP_AUTHORIZATION", "")})
            ctype, body = _fault_body(service, fault["code"], fault.get("message") or fault["code"])
            headers = [("Content-Type", ctype), ("Content-Length", str(len(body))), ("x-amzn-ErrorType", fault["code"]), ("x-amzn-RequestId", str(uuid.uuid4()))]
            start_response(f"{fault['status']} Injected", headers)
            return [body]
        return self.app(environ, start_response)

    def match_fault(self, environ: dict[str, Any], path: str) -> dict[str, Any] | None:
        with STATE.lock:
            if not STATE.faults:
                return None
            service = _service_of({"Authorization": environ.get("HTTP_AUTHORIZATION", "")})
            body = _read_body(environ).decode("utf-8", "replace")
            action = _action_of(service, environ.get("REQUEST_METHOD", "GET"), path, body)
            for fault in STATE.faults:
                if fault["count"] <= 0:
                    continue
                if fault.get("service") and fault["service"] != service:
                    continue
                if fault.get("action") and fault["action"] != action:
                    continue
                fault["count"] -= 1
                fault["hits"] = fault.get("hits", 0) + 1
                return dict(fault)
            return None

    def control(self, environ: dict[str, Any], start_response: Any, what: str) -> Any:
        method = environ.get("REQUEST_METHOD", "GET")
        raw = _read_body(environ)
        try:
            payload = json.loads(raw) if raw else {}
        except ValueError:
            return _json_response(start_response, 400, {"error": "body must be JSON"})
        try:
            return _json_response(start_response, 200, self.handle(method, what, payload))
        except (KeyError, ValueError, TypeError) as err:
            return _json_response(start_response, 400, {"error": f"{type(err).__name__}: {err}"})

    def handle(self, method: str, what: str, payload: dict[str, Any]) -> Any:
        if what == "health":
            return {"ok": True, "polls": STATE.polls, "initialPolls": STATE.initial_polls, "pid": os.getpid()}
        if what == "reset" and method == "POST":
            from moto.moto_api._internal.models import moto_api_backend

            with STATE.lock:
                moto_api_backend.reset()
                STATE.clear()
            return {"reset": True}
        if what == "polls" and method == "POST":
            with STATE.lock:
                STATE.polls = int(payload.get("polls", STATE.polls))
                STATE.initial_polls = int(payload.get("initialPolls", STATE.initial_polls))
                STATE.transition_ms = int(payload.get("transitionMs", STATE.transition_ms))
                if payload.get("existing"):
                    _clamp_existing_polls(STATE.polls)
            return {"polls": STATE.polls, "initialPolls": STATE.initial_polls, "transitionMs": STATE.transition_ms}
        if what == "target-health" and method == "POST":
            key = (payload.get("targetGroupArn") or "", payload["targetId"])
            with STATE.lock:
                if payload["state"] == "clear":
                    STATE.target_health.pop(key, None)
                else:
                    STATE.target_health[key] = {k: payload[k] for k in ("state", "reason", "description") if payload.get(k)}
            return {"ok": True}
        if what == "faults":
            with STATE.lock:
                if method == "DELETE":
                    STATE.faults.clear()
                elif method == "POST":
                    STATE.faults.append({
                        "service": payload.get("service"),
                        "action": payload.get("action"),
                        "count": int(payload.get("count", 1)),
                        "status": int(payload.get("status", 400)),
                        "code": payload.get("code", "Throttling"),
                        "message": payload.get("message", "Rate exceeded"),
                        "hits": 0,
                    })
                return {"faults": STATE.faults}
        if what == "fail-next" and method == "POST":
            kind = payload["kind"]
            if kind not in ("cluster", "nodegroup", "update"):
                raise ValueError(f"unknown kind {kind}")
            with STATE.lock:
                STATE.fail_next[kind] = list(payload.get("issues") or [{"code": "InternalFailure", "message": "injected failure"}])
            return {"ok": True}
        if what == "updates":
            with STATE.lock:
                return {"updates": [
                    {**_public(r), "cluster": r["_cluster"], "nodegroup": r["_nodegroup"], "createdAt": r["createdAt"].isoformat(),
                     "startedAt": r["_started"], "doneAt": r["_done"]}
                    for r in STATE.updates.values()
                ]}
        if what == "recording":
            return {"calls": parsed_recording()}
        raise KeyError(f"no control endpoint {method} /spider-moto/{what}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True, help="port on 127.0.0.1; 0 picks a free one")
    parser.add_argument("--polls", type=int, default=2, help="describes an object stays transitional")
    parser.add_argument("--initial-polls", type=int, default=0, help="health polls a new target reports 'initial'")
    parser.add_argument("--exit-with-parent", action="store_true",
                        help="exit when stdin closes, so a killed test run leaves no moto behind")
    args = parser.parse_args()

    STATE.polls = args.polls
    STATE.initial_polls = args.initial_polls
    os.environ.setdefault("MOTO_RECORDER_FILEPATH", os.path.join(
        os.environ.get("TMPDIR", "/tmp"), f"spider-moto-recording-{os.getpid()}.jsonl"))
    from moto.moto_api import recorder

    recorder._location = os.environ["MOTO_RECORDER_FILEPATH"]
    recorder.reset_recording()

    import logging

    from werkzeug.serving import make_server

    # One access-log line per request drowns the test output; errors still reach stderr.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    app = SpiderMiddleware(DomainDispatcherApplication(create_backend_app))
    server = make_server("127.0.0.1", args.port, app, threaded=True)

    def stop(signum: Any, frame: Any) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.exit_with_parent:
        # The launcher holds the write end of our stdin; the kernel closes it however the launcher dies.
        def watch_parent() -> None:
            sys.stdin.buffer.read()
            stop(None, None)

        threading.Thread(target=watch_parent, daemon=True).start()
    print(f"SPIDER_MOTO_LISTENING port={server.server_port}", flush=True)
    try:
        server.serve_forever()
    finally:
        try:
            os.remove(recorder._location)
        except OSError:
            pass
    sys.exit(0)


if __name__ == "__main__":
    main()
