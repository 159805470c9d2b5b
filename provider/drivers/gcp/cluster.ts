/**
 * Kubernetes clusters are out of scope for the gcp driver for now: every ClusterHandler call is
 * refused with NotSupportedError (and `check` refuses a GCP Cluster/NodeGroup at preview through
 * `validateCluster`), so nothing reaches GKE half-implemented.
 */
import type { ClusterHandler, Iid } from "../../interface/driver";
import { NotSupportedError } from "../../interface/errors";
import { CLUSTER_UNSUPPORTED_REASON } from "./capabilities";

function refuse(what: string, iid?: Iid): Promise<never> {
    const who = iid ? ` (${iid.nameId || iid.systemId})` : "";
    return Promise.reject(new NotSupportedError(`${what}${who}: ${CLUSTER_UNSUPPORTED_REASON}`));
}

/** Every Cluster and NodeGroup call refused with NotSupportedError, naming what was asked. */
export function makeClusterHandler(): ClusterHandler {
    return {
        createCluster: req => refuse("creating Cluster", req.iid),
        listCluster: () => refuse("listing Clusters"),
        getCluster: iid => refuse("reading Cluster", iid),
        deleteCluster: iid => refuse("deleting Cluster", iid),
        addNodeGroup: (clusterIid, req) => refuse(`adding NodeGroup ${req.iid.nameId} to Cluster`, clusterIid),
        getNodeGroup: clusterIid => refuse("reading NodeGroup of Cluster", clusterIid),
        setNodeGroupAutoScaling: clusterIid => refuse("changing NodeGroup autoscaling of Cluster", clusterIid),
        changeNodeGroupScaling: clusterIid => refuse("changing NodeGroup scaling of Cluster", clusterIid),
        removeNodeGroup: clusterIid => refuse("removing NodeGroup of Cluster", clusterIid),
        upgradeCluster: clusterIid => refuse("upgrading Cluster", clusterIid),
        changeClusterTags: clusterIid => refuse("changing tags of Cluster", clusterIid),
        changeClusterNetwork: clusterIid => refuse("changing the network of Cluster", clusterIid),
        changeNodeGroupConfig: clusterIid =>
            refuse("changing NodeGroup labels, taints or update config of Cluster", clusterIid),
        changeClusterAccess: clusterIid => refuse("changing the endpoint access or logging of Cluster", clusterIid),
    };
}
