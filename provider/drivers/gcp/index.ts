/**
 * The `gcp` driver: Compute Engine regional backend-service passthrough NLBs (PUBLIC = EXTERNAL,
 * INTERNAL), with TCP/HTTP/HTTPS health checks and in-place listener, VM group, membership,
 * health check and tag changes. Clusters are not supported by this driver yet.
 *
 * Connection: `project` (or GOOGLE_CLOUD_PROJECT), `region` (default us-central1), optional
 * `endpoint` (an http:// endpoint is treated as an emulator: no credentials are sent).
 * Credentials: Application Default Credentials, or `gcpCredentialsJson` from stack config.
 */
import type { Connection, Driver, DriverContext } from "../../interface/driver";
import { bindNlbHandler } from "../../interface/driver";
import { GcpClients, resolveSettings } from "./clients";
import type { GcpContext } from "./lookup";
import { makeClusterHandler } from "./cluster";
import * as nlbOperations from "./nlb";

export { capabilities } from "./capabilities";
export { validateCluster, validateNlb } from "./validate";

export function open(conn: Connection, ctx: DriverContext = {}): Driver {
    const settings = resolveSettings(conn, ctx);
    const clients = new GcpClients(conn, ctx);
    const context: GcpContext = { clients, settings };
    return { nlb: bindNlbHandler(context, nlbOperations), cluster: makeClusterHandler() };
}
