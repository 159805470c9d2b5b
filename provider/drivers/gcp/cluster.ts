/**
 * Kubernetes clusters are out of scope for the gcp driver for now: every ClusterHandler call is
 * refused with NotSupportedError (and `check` refuses a GCP Cluster/NodeGroup at preview through
 * `validateCluster`), so nothing reaches GKE half-implemented.
 */
import type {
    ClusterHandler,
    ClusterInfo,
    ClusterNetwork,
    ClusterNetworkChange,
    ClusterReq,
    Iid,
    NodeGroupInfo,
    NodeGroupReq,
    ScalingReq,
} from "../../interface/driver";
import { NotSupportedError } from "../../interface/errors";
import { CLUSTER_UNSUPPORTED_REASON } from "./capabilities";

function refuse(what: string, iid?: Iid): Promise<never> {
    const who = iid ? ` (${iid.nameId || iid.systemId})` : "";
    return Promise.reject(new NotSupportedError(`${what}${who}: ${CLUSTER_UNSUPPORTED_REASON}`));
}

export class GcpClusterHandler implements ClusterHandler {
    createCluster(req: ClusterReq): Promise<ClusterInfo> {
        return refuse("creating Cluster", req.iid);
    }
    listCluster(): Promise<ClusterInfo[]> {
        return refuse("listing Clusters");
    }
    getCluster(iid: Iid): Promise<ClusterInfo> {
        return refuse("reading Cluster", iid);
    }
    deleteCluster(iid: Iid): Promise<void> {
        return refuse("deleting Cluster", iid);
    }
    addNodeGroup(clusterIid: Iid, req: NodeGroupReq): Promise<NodeGroupInfo> {
        return refuse(`adding NodeGroup ${req.iid.nameId} to Cluster`, clusterIid);
    }
    getNodeGroup(clusterIid: Iid, _nodeGroupIid: Iid): Promise<NodeGroupInfo> {
        return refuse("reading NodeGroup of Cluster", clusterIid);
    }
    setNodeGroupAutoScaling(clusterIid: Iid, _nodeGroupIid: Iid, _on: boolean): Promise<NodeGroupInfo> {
        return refuse("changing NodeGroup autoscaling of Cluster", clusterIid);
    }
    changeNodeGroupScaling(clusterIid: Iid, _nodeGroupIid: Iid, _scaling: ScalingReq): Promise<NodeGroupInfo> {
        return refuse("changing NodeGroup scaling of Cluster", clusterIid);
    }
    removeNodeGroup(clusterIid: Iid, _nodeGroupIid: Iid): Promise<void> {
        return refuse("removing NodeGroup of Cluster", clusterIid);
    }
    upgradeCluster(clusterIid: Iid, _version: string): Promise<ClusterInfo> {
        return refuse("upgrading Cluster", clusterIid);
    }
    changeClusterTags(clusterIid: Iid, _tags: Record<string, string>): Promise<Record<string, string>> {
        return refuse("changing tags of Cluster", clusterIid);
    }
    changeClusterNetwork(clusterIid: Iid, _change: ClusterNetworkChange): Promise<ClusterNetwork> {
        return refuse("changing the network of Cluster", clusterIid);
    }
}
