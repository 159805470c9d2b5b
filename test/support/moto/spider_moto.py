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
  CreateNodegroup keeps labels, taints, capacity type, instance types, subnets and update config
  (checked as EKS checks them); UpdateNodegroupConfig takes labels / taints / scaling / update
  config in one call as one ConfigUpdate; UpdateClusterConfig also does endpoint access
  (EndpointAccessUpdate) and control-plane logging (LoggingUpdate), CreateCluster takes both and
  DescribeCluster reports EKS's defaults (public endpoint only, 0.0.0.0/0, logging off).
* ELBv2: a load balancer is `provisioning` for N describes; DescribeTargetHealth reports what
  the control endpoint set (or `initial` for the first --initial-polls polls after registration);
  ModifyListener accepts the NLB protocols and both create/modify refuse a forward to an
  incompatible target group; target groups keep an accurate LoadBalancerArns list; SetSubnets
  follows the NLB rules (one or more zones, one subnet per zone, all in the NLB's VPC, a
  different subnet in a zone already used refused until the old one is removed by its own call).
  NLB target groups (TCP/UDP/TCP_UDP/TLS) report and validate the NLB attribute set
  (deregistration delay, stickiness source_ip, proxy protocol v2, client IP preservation, …);
  NLBs report load_balancing.cross_zone.enabled (default false) and the other NLB attributes;
  SetSecurityGroups refuses an NLB created without security groups, and an empty list.
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
from moto.elbv2.responses import ELBV2Response
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


def _compact(value: Any) -> str:
    """An update param's value as EKS reports it: compact JSON."""
    return json.dumps(value, separators=(",", ":"))


def _bad(message: str) -> InvalidParameterException:
    return InvalidParameterException(message=message)


# --------------------------------------------------------------------------------------------
# EKS: request rules (labels, taints, capacity type, update config, endpoint access, logging)
#
# Sources: EKS API Reference (UpdateLabelsPayload: label keys and values 1-63 characters;
# Taint: key 1-63, value 0-63, effect NO_SCHEDULE | NO_EXECUTE | PREFER_NO_SCHEDULE;
# NodegroupUpdateConfig: maxUnavailable 1-100, maxUnavailablePercentage 1-100, one of them;
# CapacityTypes; LogType), the EKS user guide ("Node taints on managed node groups": key and
# value character rules, 50 taints per node group; "Cluster API server endpoint": private access
# must be enabled to disable public access, a bounded number of public CIDR blocks), and error
# messages EKS is known to answer (quoted where the text is EKS's own).

LABEL_RESERVED_PREFIXES = ("kubernetes.io/", "k8s.io/", "eks.amazonaws.com/")
# Kubernetes syntax (labels and taints are applied to the nodes as Kubernetes labels / taints).
_DNS_PREFIX = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/"
K8S_KEY_RE = re.compile(rf"^({_DNS_PREFIX})?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
K8S_VALUE_RE = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
TAINT_EFFECTS = ["NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"]
CAPACITY_TYPES = ["ON_DEMAND", "SPOT", "CAPACITY_BLOCK"]
LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
MAX_TAINTS = 50
MAX_PUBLIC_CIDRS = 40
DEFAULT_UPDATE_CONFIG = {"maxUnavailable": 1}


def _check_label(key: Any, value: Any) -> None:
    if not isinstance(key, str) or not 1 <= len(key) <= 63:
        raise _bad(f"Label key '{key}' must be between 1 and 63 characters")
    if any(key.startswith(p) or f".{p}" in key for p in LABEL_RESERVED_PREFIXES):
        raise _bad("Label cannot contain reserved prefixes [kubernetes.io/, k8s.io/, eks.amazonaws.com/]")
    if not K8S_KEY_RE.match(key):
        raise _bad(f"Label key '{key}' is not a valid Kubernetes label key")
    if not isinstance(value, str) or not 1 <= len(value) <= 63:
        raise _bad(f"Label value for key '{key}' must be between 1 and 63 characters")
    if not K8S_VALUE_RE.match(value):
        raise _bad(f"Label value '{value}' for key '{key}' is not a valid Kubernetes label value")


def _check_labels(labels: Any) -> dict[str, str]:
    if labels is None:
        return {}
    if not isinstance(labels, dict):
        raise _bad("labels must be a map of strings")
    for key, value in labels.items():
        _check_label(key, value)
    return dict(labels)


def _check_taint(taint: Any, *, need_effect: bool = True) -> dict[str, str]:
    if not isinstance(taint, dict):
        raise _bad("A taint must have a key, a value and an effect")
    key, value, effect = taint.get("key"), taint.get("value"), taint.get("effect")
    if not isinstance(key, str) or not 1 <= len(key) <= 63:
        raise _bad(f"Taint key '{key}' must be between 1 and 63 characters")
    if not K8S_KEY_RE.match(key):
        raise _bad(f"Taint key '{key}' must begin with a letter or number and contain only letters, numbers, "
                   "hyphens, periods and underscores, optionally after a DNS subdomain prefix and a single '/'")
    if value is not None and value != "":
        if not isinstance(value, str) or len(value) > 63:
            raise _bad(f"Taint value for key '{key}' can be up to 63 characters long")
        if not K8S_VALUE_RE.match(value):
            raise _bad(f"Taint value '{value}' for key '{key}' must begin with a letter or number and contain only "
                       "letters, numbers, hyphens, periods and underscores")
    if effect is None and not need_effect:
        pass
    elif effect not in TAINT_EFFECTS:
        raise _bad(f"Invalid taint effect: {effect}, must be one of these [{', '.join(TAINT_EFFECTS)}]")
    out = {"key": key, "effect": effect} if effect is not None else {"key": key}
    if value is not None:
        out["value"] = value
    return out


def _taint_id(taint: dict[str, Any]) -> tuple[str, Any]:
    # Kubernetes taints are unique by key and effect.
    return (taint["key"], taint.get("effect"))


def _check_taints(taints: Any) -> list[dict[str, str]]:
    if taints is None:
        return []
    if not isinstance(taints, list):
        raise _bad("taints must be a list")
    checked = [_check_taint(t) for t in taints]
    seen: set[tuple[str, Any]] = set()
    for t in checked:
        if _taint_id(t) in seen:
            raise _bad(f"Taints must be unique by key and effect: {t['key']}:{t['effect']} is given twice")
        seen.add(_taint_id(t))
    if len(checked) > MAX_TAINTS:
        raise _bad(f"A node group can have at most {MAX_TAINTS} taints; {len(checked)} requested")
    return checked


def _check_update_config(update_config: Any) -> dict[str, Any]:
    if not isinstance(update_config, dict):
        raise _bad("updateConfig must be an object")
    mu, mup = update_config.get("maxUnavailable"), update_config.get("maxUnavailablePercentage")
    if mu is not None and mup is not None:
        raise _bad("Only one of maxUnavailable and maxUnavailablePercentage can be specified")
    if mu is None and mup is None:
        raise _bad("Either maxUnavailable or maxUnavailablePercentage must be specified")
    name, value = ("maxUnavailable", mu) if mu is not None else ("maxUnavailablePercentage", mup)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100:
        raise _bad(f"{name} must be between 1 and 100, got {value}")
    out: dict[str, Any] = {name: value}
    strategy = update_config.get("updateStrategy")
    if strategy is not None:
        if strategy not in ("DEFAULT", "MINIMAL"):
            raise _bad(f"Invalid updateStrategy: {strategy}, must be one of these [DEFAULT, MINIMAL]")
        out["updateStrategy"] = strategy
    return out


def _check_scaling(merged: dict[str, Any]) -> None:
    for key, low in (("minSize", 0), ("maxSize", 1), ("desiredSize", 0)):
        value = merged.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < low):
            raise _bad(f"{key} must be an integer of at least {low}")
    if merged["minSize"] > merged["desiredSize"]:
        raise _bad(f"Minimum capacity {merged['minSize']} can't be greater than desired size {merged['desiredSize']}")
    if merged["desiredSize"] > merged["maxSize"]:
        raise _bad(f"Desired capacity {merged['desiredSize']} can't be greater than max size {merged['maxSize']}")
    if merged["maxSize"] < 1:
        raise _bad("Maximum capacity must be at least 1")


def _reserved_v4() -> list[Any]:
    import ipaddress

    return [ipaddress.ip_network(n) for n in (
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
        "192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4",
    )]


RESERVED_V4 = _reserved_v4()


def _check_cidrs(cidrs: Any) -> list[str]:
    import ipaddress

    if not isinstance(cidrs, list):
        raise _bad("publicAccessCidrs must be a list of CIDR blocks")
    bad = []
    for cidr in cidrs:
        try:
            net = ipaddress.ip_network(cidr, strict=True) if isinstance(cidr, str) and "/" in cidr else None
        except ValueError:
            net = None
        # The public endpoint of an IPv4 cluster takes IPv4 blocks outside the reserved ranges.
        if net is None or net.version != 4 or (net.prefixlen > 0 and any(net.overlaps(r) for r in RESERVED_V4)):
            bad.append(str(cidr))
    if bad:
        raise _bad(f"The following CIDRs are invalid in publicAccessCidrs: [{', '.join(bad)}]")
    if len(cidrs) > MAX_PUBLIC_CIDRS:
        raise _bad(f"publicAccessCidrs can have at most {MAX_PUBLIC_CIDRS} CIDR blocks; {len(cidrs)} given")
    return list(cidrs)


def _endpoint_config(current: dict[str, Any], requested: dict[str, Any]) -> dict[str, Any]:
    """The endpoint settings after `requested` is applied to `current`, checked as EKS checks them."""
    merged = {
        "endpointPublicAccess": current.get("endpointPublicAccess", True),
        "endpointPrivateAccess": current.get("endpointPrivateAccess", False),
        "publicAccessCidrs": list(current.get("publicAccessCidrs") or ["0.0.0.0/0"]),
    }
    for key in ("endpointPublicAccess", "endpointPrivateAccess"):
        if key in requested and requested[key] is not None:
            if not isinstance(requested[key], bool):
                raise _bad(f"{key} must be true or false")
            merged[key] = requested[key]
    if requested.get("publicAccessCidrs") is not None:
        merged["publicAccessCidrs"] = _check_cidrs(requested["publicAccessCidrs"]) or ["0.0.0.0/0"]
    if not merged["endpointPublicAccess"] and not merged["endpointPrivateAccess"]:
        # User guide: "You must enable private access to disable public access."
        raise _bad("Private endpoint access must be enabled to disable public endpoint access: "
                   "endpointPublicAccess and endpointPrivateAccess cannot both be false")
    return merged


def _logging_state(logging: Any) -> dict[str, bool]:
    """A Logging structure as {type: enabled}, checked; types not named keep `False`."""
    state = {t: False for t in LOG_TYPES}
    state.update(_logging_changes(logging))
    return state


def _logging_changes(logging: Any) -> dict[str, bool]:
    if logging is None:
        return {}
    if not isinstance(logging, dict) or not isinstance(logging.get("clusterLogging"), list):
        raise _bad("logging must have a clusterLogging list")
    changes: dict[str, bool] = {}
    for setup in logging["clusterLogging"]:
        enabled = setup.get("enabled")
        if not isinstance(enabled, bool):
            raise _bad("Each clusterLogging entry needs enabled: true or false")
        for log_type in setup.get("types") or []:
            if log_type not in LOG_TYPES:
                raise _bad(f"Invalid log type: {log_type}, must be one of these [{', '.join(LOG_TYPES)}]")
            if log_type in changes:
                raise _bad(f"Log type {log_type} is specified more than once")
            changes[log_type] = enabled
    return changes


def _logging_of(state: dict[str, bool]) -> dict[str, Any]:
    """{type: enabled} as DescribeCluster reports it: one entry for the enabled types, one for the rest."""
    setups = []
    for enabled in (True, False):
        types = [t for t in LOG_TYPES if state.get(t, False) == enabled]
        if types:
            setups.append({"types": types, "enabled": enabled})
    return {"clusterLogging": setups}


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
    # Endpoint access as DescribeCluster reports it: public true, private false, 0.0.0.0/0 by default.
    config.update(_endpoint_config({}, config))
    config.setdefault("securityGroupIds", [])
    logging_state = _logging_state(kwargs.pop("logging", None))
    cluster = _orig_create_cluster(self, name=name, role_arn=role_arn, resources_vpc_config=config, **kwargs)
    cluster.logging = _logging_of(logging_state)
    # EKS keeps the Availability Zones chosen at creation: later subnets must stay inside them.
    cluster._spider_azs = azs
    return cluster


_orig_create_nodegroup = eks_models.EKSBackend.create_nodegroup


def _create_nodegroup(self: Any, cluster_name: str, nodegroup_name: str, update_config: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    """CreateNodegroup with EKS's rules for labels, taints, capacity type, instance types, subnets,
    scaling and update configuration; the node group keeps and reports all of them."""
    from moto.ec2.models import ec2_backends

    labels = _check_labels(kwargs.get("labels"))
    taints = _check_taints(kwargs.get("taints"))
    capacity = kwargs.get("capacity_type")
    if capacity is not None and capacity not in CAPACITY_TYPES:
        raise _bad(f"Invalid capacityType: {capacity}, must be one of these [{', '.join(CAPACITY_TYPES)}]")
    instance_types = kwargs.get("instance_types")
    if instance_types is not None:
        if not isinstance(instance_types, list) or not instance_types or not all(isinstance(t, str) and t for t in instance_types):
            raise _bad("instanceTypes must be a non-empty list of instance type names")
    checked_update = _check_update_config(update_config) if update_config is not None else dict(DEFAULT_UPDATE_CONFIG)
    scaling = kwargs.get("scaling_config")
    if scaling is not None:
        merged = {**eks_models.DEFAULT_SCALING_CONFIG, **scaling}
        _check_scaling(merged)
        kwargs["scaling_config"] = merged
    subnets = kwargs.get("subnets")
    if not subnets:
        raise _bad("subnets must contain at least one subnet")
    cluster = self.clusters.get(cluster_name)
    if cluster is not None:
        ec2 = ec2_backends[self.account_id][self.region_name]
        for sid in subnets:
            try:
                subnet = ec2.get_subnet(sid)
            except Exception:
                subnet = None
            if subnet is None:
                raise _bad(f"Subnet {sid} not found")
            vpc_id = cluster.resources_vpc_config.get("vpcId")
            if vpc_id and subnet.vpc_id != vpc_id:
                raise _bad(f"Subnet {sid} is in VPC {subnet.vpc_id}, not in the cluster's VPC {vpc_id}")
    kwargs["labels"] = labels
    kwargs["taints"] = taints
    ng = _orig_create_nodegroup(self, cluster_name=cluster_name, nodegroup_name=nodegroup_name, **kwargs)
    ng.update_config = checked_update
    ng.instance_types = list(instance_types or eks_models.DEFAULT_INSTANCE_TYPES)
    ng.scaling_config = dict(ng.scaling_config)
    return ng


eks_models.EKSBackend.create_nodegroup = _create_nodegroup  # type: ignore[method-assign]


def _r_create_nodegroup(self: Any) -> Any:
    from moto.core.responses import ActionResult

    ng = self.eks_backend.create_nodegroup(
        cluster_name=self._get_param("name"),
        nodegroup_name=self._get_param("nodegroupName"),
        scaling_config=self._get_param("scalingConfig"),
        disk_size=self._get_int_param("diskSize"),
        subnets=self._get_param("subnets"),
        instance_types=self._get_param("instanceTypes"),
        ami_type=self._get_param("amiType"),
        remote_access=self._get_param("remoteAccess"),
        node_role=self._get_param("nodeRole"),
        labels=self._get_param("labels"),
        taints=self._get_param("taints"),
        tags=self._get_param("tags"),
        client_request_token=self._get_param("clientRequestToken"),
        launch_template=self._get_param("launchTemplate"),
        capacity_type=self._get_param("capacityType"),
        version=self._get_param("version"),
        release_version=self._get_param("releaseVersion"),
        update_config=self._get_param("updateConfig"),
    )
    return ActionResult({"nodegroup": ng})


EKSResponse.create_nodegroup = _r_create_nodegroup  # type: ignore[method-assign]


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


def _update_nodegroup_config(
    self: Any,
    cluster_name: str,
    nodegroup_name: str,
    scaling_config: dict[str, int] | None = None,
    labels: dict[str, Any] | None = None,
    taints: dict[str, Any] | None = None,
    update_config: dict[str, Any] | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """UpdateNodegroupConfig: labels, taints, scaling and update configuration, any of them in one
    call (as EKS takes them, and as Terraform's aws_eks_node_group sends them); one ConfigUpdate whose
    params are EKS's (LabelsToAdd, LabelsToRemove, TaintsToAdd, TaintsToRemove, MinSize, MaxSize,
    DesiredSize, MaxUnavailable, MaxUnavailablePercentage); applied when the update completes."""
    with STATE.lock:
        cluster = _cluster_or_404(self, cluster_name)
        ng = _nodegroup_or_404(cluster, nodegroup_name)
        _require_no_update(cluster_name, nodegroup_name)
        if ng.status != "ACTIVE":
            raise _in_use(f"Nodegroup {nodegroup_name} is currently {ng.status}")
        params: list[dict[str, str]] = []

        new_labels = dict(ng.labels or {})
        if labels is not None:
            add = labels.get("addOrUpdateLabels") or {}
            remove = list(labels.get("removeLabels") or [])
            if not add and not remove:
                raise _bad("Both or either addOrUpdateLabels or removeLabels must not be empty")
            _check_labels(add)
            both = sorted(set(add) & set(remove))
            if both:
                raise _bad(f"Label key(s) [{', '.join(both)}] cannot be both added and removed in the same request")
            new_labels.update(add)
            for key in remove:
                new_labels.pop(key, None)
            if add:
                params.append({"type": "LabelsToAdd", "value": _compact(add)})
            if remove:
                params.append({"type": "LabelsToRemove", "value": _compact(remove)})

        new_taints = [dict(t) for t in ng.taints or []]
        if taints is not None:
            add_t = taints.get("addOrUpdateTaints") or []
            remove_t = taints.get("removeTaints") or []
            if not add_t and not remove_t:
                raise _bad("Both or either addOrUpdateTaints or removeTaints must not be empty")
            added = _check_taints(add_t)
            removed = [_check_taint(t, need_effect=False) for t in remove_t]
            for r in removed:
                clash = [a for a in added if a["key"] == r["key"] and r.get("effect") in (None, a["effect"])]
                if clash:
                    raise _bad(f"Taint {r['key']}:{clash[0]['effect']} cannot be both added and removed in the same request")
            for r in removed:
                new_taints = [t for t in new_taints if not (t["key"] == r["key"] and r.get("effect") in (None, t.get("effect")))]
            for a in added:
                new_taints = [t for t in new_taints if _taint_id(t) != _taint_id(a)] + [a]
            if len(new_taints) > MAX_TAINTS:
                raise _bad(f"A node group can have at most {MAX_TAINTS} taints; the update would leave {len(new_taints)}")
            if added:
                params.append({"type": "TaintsToAdd", "value": _compact(added)})
            if removed:
                params.append({"type": "TaintsToRemove", "value": _compact(removed)})

        merged = dict(ng.scaling_config)
        if scaling_config is not None:
            given = {k: v for k, v in scaling_config.items() if k in ("minSize", "maxSize", "desiredSize") and v is not None}
            if not given:
                raise _bad("Either all or at least one of minSize, maxSize, desiredSize must be provided")
            merged.update(given)
            _check_scaling(merged)
            params += [{"type": p, "value": str(given[k])} for k, p in (("minSize", "MinSize"), ("maxSize", "MaxSize"), ("desiredSize", "DesiredSize")) if k in given]

        new_update_config = dict(ng.update_config or DEFAULT_UPDATE_CONFIG)
        if update_config is not None:
            new_update_config = _check_update_config(update_config)
            params += [{"type": p, "value": str(new_update_config[k])} for k, p in (("maxUnavailable", "MaxUnavailable"), ("maxUnavailablePercentage", "MaxUnavailablePercentage"), ("updateStrategy", "UpdateStrategy")) if k in new_update_config]

        def apply() -> None:
            ng.labels = new_labels
            ng.taints = new_taints
            ng.update_config = new_update_config
            if scaling_config is not None:
                ng.scaling_config = merged
                _reconcile_nodes(ng, int(merged["desiredSize"]))

        return _new_update(cluster_name, nodegroup_name, "ConfigUpdate", params, apply, ng)


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
ENDPOINT_KEYS = {"endpointPublicAccess": "EndpointPublicAccess", "endpointPrivateAccess": "EndpointPrivateAccess",
                 "publicAccessCidrs": "PublicAccessCidrs"}


def _update_kinds(resources_vpc_config: dict[str, Any] | None, logging: Any, kwargs: dict[str, Any]) -> list[str]:
    """The update types one UpdateClusterConfig request asks for. EKS takes one per call: subnets
    and security groups are a VpcConfigUpdate, endpoint access an EndpointAccessUpdate (Terraform's
    aws_eks_cluster sends them as separate calls for that reason), logging a LoggingUpdate."""
    kinds = []
    vpc = {k: v for k, v in (resources_vpc_config or {}).items() if v is not None}
    if set(vpc) & set(VPC_CONFIG_KEYS):
        kinds.append("VpcConfigUpdate")
    if set(vpc) & set(ENDPOINT_KEYS):
        kinds.append("EndpointAccessUpdate")
    if logging:
        kinds.append("LoggingUpdate")
    kinds += [k for k, v in kwargs.items() if v and k != "client_request_token"]
    return kinds


def update_cluster_config(self: Any, name: str, resources_vpc_config: dict[str, Any] | None = None, logging: Any = None, **kwargs: Any) -> dict[str, Any]:
    """UpdateClusterConfig for subnets / security groups (VpcConfigUpdate), endpoint access
    (EndpointAccessUpdate) and control-plane logging (LoggingUpdate): one update type per call, EKS's
    rules for each, an update that stays InProgress for N DescribeUpdate polls and applies after."""
    from moto.ec2.models import ec2_backends

    with STATE.lock:
        cluster = _cluster_or_404(self, name)
        _require_no_update(name, None)
        if cluster.status != "ACTIVE":
            raise InvalidRequestException(message=eks_models.CLUSTER_NOT_READY_MSG.format(clusterName=name))
        kinds = _update_kinds(resources_vpc_config, logging, kwargs)
        if len(kinds) != 1:
            raise InvalidParameterException(message="Only one type of update can be allowed.")
        vpc_request = {k: v for k, v in (resources_vpc_config or {}).items() if v is not None}
        unknown = sorted(set(vpc_request) - set(VPC_CONFIG_KEYS) - set(ENDPOINT_KEYS))
        if unknown or kinds[0] not in ("VpcConfigUpdate", "EndpointAccessUpdate", "LoggingUpdate"):
            raise InvalidParameterException(message=f"the extended moto does not model {', '.join(unknown or kinds)} updates")

        if kinds[0] == "LoggingUpdate":
            current = {t: False for t in LOG_TYPES}
            for setup in cluster.logging.get("clusterLogging") or []:
                for t in setup.get("types") or []:
                    current[t] = bool(setup.get("enabled"))
            changes = _logging_changes(logging)
            target = {**current, **changes}
            if target == current:
                raise InvalidParameterException(message="No changes needed for the logging config provided")

            def apply_logging() -> None:
                cluster.logging = _logging_of(target)

            return _new_update(name, None, "LoggingUpdate", [{"type": "ClusterLogging", "value": _compact(logging["clusterLogging"])}], apply_logging, cluster)

        if kinds[0] == "EndpointAccessUpdate":
            current = {k: cluster.resources_vpc_config.get(k) for k in ENDPOINT_KEYS}
            target = _endpoint_config(cluster.resources_vpc_config, vpc_request)
            if target == current:
                raise InvalidParameterException(message=(
                    "Cluster is already at the desired configuration with endpointPrivateAccess: "
                    f"{str(target['endpointPrivateAccess']).lower()} , endpointPublicAccess: {str(target['endpointPublicAccess']).lower()}, "
                    f"and Public Endpoint Restrictions: [{', '.join(target['publicAccessCidrs'])}]"))
            params = [{"type": ENDPOINT_KEYS[k], "value": _compact(vpc_request[k])} for k in ENDPOINT_KEYS if k in vpc_request]

            def apply_endpoint() -> None:
                cluster.resources_vpc_config = {**cluster.resources_vpc_config, **target}

            return _new_update(name, None, "EndpointAccessUpdate", params, apply_endpoint, cluster)

        ec2 = ec2_backends[self.account_id][self.region_name]
        config = {k: list(v) for k, v in vpc_request.items()}
        problem = None
        if "subnetIds" in config:
            problem = _subnet_rule_issues(ec2, cluster, config["subnetIds"])
        if problem is None and "securityGroupIds" in config:
            problem = _security_group_issues(ec2, cluster, config["securityGroupIds"])
        if problem:
            raise InvalidParameterException(message=problem)
        params = [{"type": VPC_CONFIG_KEYS[k], "value": _compact(v)} for k, v in config.items()]

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
        labels=self._get_param("labels"),
        taints=self._get_param("taints"),
        update_config=self._get_param("updateConfig"),
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
# ELBv2: target-group and load-balancer attributes of Network Load Balancers, NLB security groups
#
# Sources: ELBv2 API Reference (TargetGroupAttribute, LoadBalancerAttribute, SetSecurityGroups,
# ModifyTargetGroupAttributes), the NLB user guide ("Edit target group attributes": client IP
# preservation defaults, can't be disabled for UDP / TCP_UDP; sticky sessions not supported with
# TLS; "Update the security groups for your Network Load Balancer": no security groups can be
# added to an NLB created without any), and the error text ELBv2 answers (quoted where known).

NLB_TG_PROTOCOLS = ("TCP", "UDP", "TCP_UDP", "TLS")
BOOL_VALUES = ("true", "false")
# Target-group attributes ELBv2 accepts for NLB (TCP / UDP / TCP_UDP / TLS) target groups, each with
# a value check that answers an error message, or None when the value is fine.
def _int_between(low: int, high: int, key: str) -> Any:
    def check(value: str) -> str | None:
        if not re.fullmatch(r"-?\d+", value) or not low <= int(value) <= high:
            return f"'{key}' value '{value}' must be between '{low}-{high}' inclusive"
        return None
    return check


def _one_of(choices: tuple[str, ...], key: str) -> Any:
    def check(value: str) -> str | None:
        if value not in choices:
            return f"'{key}' value '{value}' must be one of [{', '.join(choices)}]"
        return None
    return check


def _count_or_off(key: str, high: int) -> Any:
    def check(value: str) -> str | None:
        if value == "off" or (re.fullmatch(r"\d+", value) and 1 <= int(value) <= high):
            return None
        return f"'{key}' value '{value}' must be 'off' or between '1-{high}' inclusive"
    return check


NLB_TG_ATTRIBUTES: dict[str, Any] = {
    "deregistration_delay.timeout_seconds": _int_between(0, 3600, "deregistration_delay.timeout_seconds"),
    "deregistration_delay.connection_termination.enabled": _one_of(BOOL_VALUES, "deregistration_delay.connection_termination.enabled"),
    "stickiness.enabled": _one_of(BOOL_VALUES, "stickiness.enabled"),
    "stickiness.type": None,  # checked below: source_ip only
    "proxy_protocol_v2.enabled": _one_of(BOOL_VALUES, "proxy_protocol_v2.enabled"),
    "preserve_client_ip.enabled": _one_of(BOOL_VALUES, "preserve_client_ip.enabled"),
    "load_balancing.cross_zone.enabled": _one_of(("true", "false", "use_load_balancer_configuration"), "load_balancing.cross_zone.enabled"),
    "target_health_state.unhealthy.connection_termination.enabled": _one_of(BOOL_VALUES, "target_health_state.unhealthy.connection_termination.enabled"),
    "target_health_state.unhealthy.draining_interval_seconds": _int_between(0, 360000, "target_health_state.unhealthy.draining_interval_seconds"),
    "target_group_health.dns_failover.minimum_healthy_targets.count": _count_or_off("target_group_health.dns_failover.minimum_healthy_targets.count", 10**9),
    "target_group_health.dns_failover.minimum_healthy_targets.percentage": _count_or_off("target_group_health.dns_failover.minimum_healthy_targets.percentage", 100),
    "target_group_health.unhealthy_state_routing.minimum_healthy_targets.count": _count_or_off("target_group_health.unhealthy_state_routing.minimum_healthy_targets.count", 10**9),
    "target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage": _count_or_off("target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage", 100),
}
# Keys ELBv2 knows, but for other load balancer types (ALB, GWLB, Lambda targets).
OTHER_TG_ATTRIBUTES = {
    "slow_start.duration_seconds", "load_balancing.algorithm.type", "load_balancing.algorithm.anomaly_mitigation",
    "stickiness.lb_cookie.duration_seconds", "stickiness.app_cookie.cookie_name", "stickiness.app_cookie.duration_seconds",
    "lambda.multi_value_headers.enabled", "target_failover.on_deregistration", "target_failover.on_unhealthy",
}


def _nlb_tg_defaults(protocol: str, target_type: str) -> dict[str, str]:
    # Client IP preservation: on for instance targets, and for IP targets of UDP / TCP_UDP groups.
    preserve = "true" if target_type == "instance" or protocol in ("UDP", "TCP_UDP") else "false"
    return {
        "deregistration_delay.timeout_seconds": "300",
        "deregistration_delay.connection_termination.enabled": "false",
        "stickiness.enabled": "false",
        "stickiness.type": "source_ip",
        "proxy_protocol_v2.enabled": "false",
        "preserve_client_ip.enabled": preserve,
        "load_balancing.cross_zone.enabled": "use_load_balancer_configuration",
        "target_health_state.unhealthy.connection_termination.enabled": "true",
        "target_health_state.unhealthy.draining_interval_seconds": "0",
        "target_group_health.dns_failover.minimum_healthy_targets.count": "1",
        "target_group_health.dns_failover.minimum_healthy_targets.percentage": "off",
        "target_group_health.unhealthy_state_routing.minimum_healthy_targets.count": "1",
        "target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage": "off",
    }


_orig_tg_init = elbv2_models.FakeTargetGroup.__init__


def _tg_init(self: Any, *args: Any, **kwargs: Any) -> None:
    _orig_tg_init(self, *args, **kwargs)
    if self.protocol in NLB_TG_PROTOCOLS:
        # moto gives every group the ALB set (slow start, algorithm, WAF); ELBv2 reports the NLB set.
        self.attributes = _nlb_tg_defaults(self.protocol, self.target_type)


elbv2_models.FakeTargetGroup.__init__ = _tg_init  # type: ignore[method-assign]

_orig_modify_tg_attributes = elbv2_models.ELBv2Backend.modify_target_group_attributes


def _modify_tg_attributes(self: Any, target_group_arn: str, attributes: dict[str, Any]) -> Any:
    """ModifyTargetGroupAttributes for NLB target groups: every key and value checked first
    (unknown key: ValidationError; a key of another load balancer type or a setting the protocol
    forbids: InvalidConfigurationRequest), then all applied together."""
    with STATE.lock:
        tg = self.target_groups.get(target_group_arn)
        if tg is None or tg.protocol not in NLB_TG_PROTOCOLS:
            return _orig_modify_tg_attributes(self, target_group_arn, attributes)
        if not attributes:
            raise ELBClientError("ValidationError", "At least one attribute must be specified")
        after = {**tg.attributes}
        for key, value in attributes.items():
            value = str(value)
            if key in OTHER_TG_ATTRIBUTES:
                raise ELBClientError(
                    "InvalidConfigurationRequest",
                    f"Target group attribute key '{key}' is not supported for target groups with the {tg.protocol} protocol",
                )
            if key not in NLB_TG_ATTRIBUTES:
                raise ELBClientError("ValidationError", f"Target group attribute key '{key}' is not recognized")
            if key == "stickiness.type":
                if value in ("lb_cookie", "app_cookie"):
                    raise ELBClientError(
                        "InvalidConfigurationRequest",
                        f"Stickiness type '{value}' is not supported for target groups with the {tg.protocol} protocol",
                    )
                if value != "source_ip":
                    raise ELBClientError("ValidationError", "'Stickiness type' must be one of [app_cookie, lb_cookie, source_ip]")
            else:
                problem = NLB_TG_ATTRIBUTES[key](value)
                if problem:
                    raise ELBClientError("ValidationError", problem)
            after[key] = value
        if tg.protocol == "TLS" and after["stickiness.enabled"] == "true":
            raise ELBClientError("InvalidConfigurationRequest", "You cannot enable stickiness on target groups with the TLS protocol")
        if tg.protocol in ("UDP", "TCP_UDP") and after["preserve_client_ip.enabled"] != "true":
            raise ELBClientError(
                "InvalidConfigurationRequest",
                f"Client IP preservation cannot be disabled for target groups with the {tg.protocol} protocol",
            )
        tg.attributes = after
        return None


def _r_modify_tg_attributes(self: Any) -> Any:
    from moto.core.responses import ActionResult

    arn = self._get_param("TargetGroupArn")
    attributes = {a["Key"]: a["Value"] for a in self._get_param("Attributes", [])}
    self.elbv2_backend.modify_target_group_attributes(arn, attributes)
    # ELBv2 answers with the group's attributes after the change, as DescribeTargetGroupAttributes does.
    return ActionResult({"Attributes": self.elbv2_backend.target_groups[arn].attributes})


elbv2_models.ELBv2Backend.modify_target_group_attributes = _modify_tg_attributes  # type: ignore[method-assign]
ELBV2Response.modify_target_group_attributes = _r_modify_tg_attributes  # type: ignore[method-assign]


NLB_LB_ATTRIBUTES: dict[str, Any] = {
    "access_logs.s3.enabled": _one_of(BOOL_VALUES, "access_logs.s3.enabled"),
    "access_logs.s3.bucket": None,
    "access_logs.s3.prefix": None,
    "deletion_protection.enabled": _one_of(BOOL_VALUES, "deletion_protection.enabled"),
    "load_balancing.cross_zone.enabled": _one_of(BOOL_VALUES, "load_balancing.cross_zone.enabled"),
    "ipv6.deny_all_igw_traffic": _one_of(BOOL_VALUES, "ipv6.deny_all_igw_traffic"),
    "dns_record.client_routing_policy": _one_of(
        ("any_availability_zone", "availability_zone_affinity", "partial_availability_zone_affinity"), "dns_record.client_routing_policy"),
    "zonal_shift.config.enabled": _one_of(BOOL_VALUES, "zonal_shift.config.enabled"),
    "secondary_ips.auto_assigned.per_subnet": _int_between(0, 7, "secondary_ips.auto_assigned.per_subnet"),
}


def _nlb_lb_defaults() -> dict[str, str]:
    return {
        "access_logs.s3.enabled": "false",
        "access_logs.s3.bucket": "",
        "access_logs.s3.prefix": "",
        "deletion_protection.enabled": "false",
        "load_balancing.cross_zone.enabled": "false",
        "ipv6.deny_all_igw_traffic": "false",
        "dns_record.client_routing_policy": "any_availability_zone",
        "zonal_shift.config.enabled": "false",
        "secondary_ips.auto_assigned.per_subnet": "0",
    }


_orig_modify_lb_attributes = elbv2_models.ELBv2Backend.modify_load_balancer_attributes


def _modify_lb_attributes(self: Any, arn: str, attrs: dict[str, Any]) -> Any:
    """ModifyLoadBalancerAttributes for NLBs: NLB keys only (an ALB key is InvalidConfigurationRequest,
    an unknown one ValidationError), values checked, all applied together."""
    with STATE.lock:
        lb = self.load_balancers.get(arn)
        if lb is None or lb.type != "network":
            return _orig_modify_lb_attributes(self, arn, attrs)
        if not attrs:
            raise ELBClientError("ValidationError", "At least one attribute must be specified")
        after = {**lb.attrs}
        for key, value in attrs.items():
            value = str(value)
            if key not in NLB_LB_ATTRIBUTES:
                if key in elbv2_models.FakeLoadBalancer.VALID_ATTRS or key.startswith(("routing.", "idle_timeout.", "client_keep_alive.", "connection_logs.", "waf.", "health_check_logs.")):
                    raise ELBClientError("InvalidConfigurationRequest", f"Key {key} not valid")
                raise ELBClientError("ValidationError", f"Load balancer attribute key '{key}' is not recognized")
            check = NLB_LB_ATTRIBUTES[key]
            problem = check(value) if check else None
            if problem:
                raise ELBClientError("ValidationError", problem)
            after[key] = value
        lb.attrs = after
        return lb.attrs


elbv2_models.ELBv2Backend.modify_load_balancer_attributes = _modify_lb_attributes  # type: ignore[method-assign]

_orig_create_lb = elbv2_models.ELBv2Backend.create_load_balancer


def _create_lb(self: Any, *args: Any, **kwargs: Any) -> Any:
    groups = list(kwargs.get("security_groups") or [])
    for gid in groups:
        if self.ec2_backend.get_security_group_from_id(gid) is None:
            raise ELBClientError("InvalidSecurityGroup", f"Security group {gid} does not exist")
    lb = _orig_create_lb(self, *args, **kwargs)
    if lb.type == "network":
        lb.attrs = _nlb_lb_defaults()
        # Whether the NLB was created with security groups decides, for good, whether it can have any.
        lb._spider_sg_capable = bool(groups)
    return lb


elbv2_models.ELBv2Backend.create_load_balancer = _create_lb  # type: ignore[method-assign]

_orig_set_security_groups = elbv2_models.ELBv2Backend.set_security_groups


def _set_security_groups(self: Any, arn: str, sec_groups: list[str]) -> None:
    """SetSecurityGroups on an NLB: only one created with security groups can have them changed,
    and not to none (the NLB user guide; Terraform's aws_lb replaces the NLB in both cases)."""
    with STATE.lock:
        lb = self.load_balancers.get(arn)
        if lb is not None and lb.type == "network":
            if not getattr(lb, "_spider_sg_capable", bool(lb.security_groups)):
                raise ELBClientError(
                    "InvalidConfigurationRequest",
                    "You cannot set security groups on a Network Load Balancer which was created without any security groups.",
                )
            if not sec_groups:
                raise ELBClientError(
                    "InvalidConfigurationRequest",
                    "You cannot remove all security groups from a Network Load Balancer which was created with security groups.",
                )
        _orig_set_security_groups(self, arn, sec_groups)


elbv2_models.ELBv2Backend.set_security_groups = _set_security_groups  # type: ignore[method-assign]


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
