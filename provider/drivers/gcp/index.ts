/**
 * The `gcp` driver: Compute Engine regional backend-service passthrough NLBs (PUBLIC = EXTERNAL,
 * INTERNAL), with TCP/HTTP/HTTPS health checks and in-place listener, VM group, membership,
 * health check and tag changes; GKE clusters and node pools (cluster.ts), regional, or zonal with
 * `connection.zone`.
 *
 * Connection: `project` (or GOOGLE_CLOUD_PROJECT), `region` (default us-central1), optional
 * `endpoint` (an http:// endpoint is treated as an emulator: no credentials are sent).
 * Credentials: Application Default Credentials, or `gcpCredentialsJson` from stack config.
 */
import type { ClusterReq, Connection, Driver, DriverContext, NodeGroupReq } from "../../interface/driver";
import type { FieldIssue } from "../../interface/errors";
import { bindClusterHandler, bindNlbHandler } from "../../interface/driver";
import { GcpClients, resolveSettings } from "./clients";
import type { GcpContext } from "./lookup";
import * as clusterOperations from "./cluster";
import * as nlbOperations from "./nlb";

export { capabilities } from "./capabilities";
import { validateCluster as validateClusterReq, validateNodeGroup as validateNodeGroupReq, zonesOf } from "./validate";

export { validateNlb } from "./validate";

/** Every GKE rule a cluster request breaks (property paths like `nodeGroups[0].desiredNodeSize`); no API calls. */
export function validateCluster(req: ClusterReq, conn: Connection): FieldIssue[] {
    return validateClusterReq(req, conn);
}

/** Every GKE rule a standalone node group request breaks; no API calls. */
export function validateNodeGroup(req: NodeGroupReq, conn: Connection): FieldIssue[] {
    return validateNodeGroupReq(req, zonesOf(conn));
}

export function open(conn: Connection, ctx: DriverContext = {}): Driver {
    const settings = resolveSettings(conn, ctx);
    const clients = new GcpClients(conn, ctx);
    const context: GcpContext = { clients, settings };
    return { nlb: bindNlbHandler(context, nlbOperations), cluster: bindClusterHandler(context, clusterOperations) };
}
