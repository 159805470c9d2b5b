/**
 * The loader: the one place that names the concrete drivers. It lives beside them, so the
 * interface layer (provider/interface) depends on none of them.
 */
import type {
    ClusterReq,
    Connection,
    Capabilities,
    Driver,
    DriverContext,
    DriverName,
    NlbReq,
    NodeGroupReq,
} from "../interface/driver";
import { FieldIssue, ValidationError } from "../interface/errors";

/** What a driver module exports; the cloud rules it checks at preview are optional. */
export interface DriverModule {
    capabilities: Capabilities;
    /** Builds the handlers for one call; cheap; clients are created here, never cached globally. */
    open(conn: Connection, ctx: DriverContext): Driver;
    /** The cloud's own rules for an NLB request (ELBv2, GCE), checked at preview. */
    validateNlb?(req: NlbReq): FieldIssue[];
    /** The cloud's own rules for a cluster request (EKS, GKE), at preview; `conn` says where (zonal or regional). */
    validateCluster?(req: ClusterReq, conn: Connection): FieldIssue[];
    /** The cloud's own rules for a standalone node group request (paths as the NodeGroup's inputs), at preview. */
    validateNodeGroup?(req: NodeGroupReq, conn: Connection): FieldIssue[];
}

export const DRIVER_NAMES: readonly DriverName[] = ["local", "aws", "gcp"];

/** Lazy, so a local-only program never loads the cloud SDKs. */
const LOADERS: Record<DriverName, () => DriverModule> = {
    local: () => require("./local"),
    aws: () => require("./aws"),
    gcp: () => require("./gcp"),
};

export function driverModule(name: DriverName): DriverModule {
    const load = Object.hasOwn(LOADERS, name) ? LOADERS[name] : undefined;
    if (!load) {
        const allowed = DRIVER_NAMES.join(", ");
        throw new ValidationError([
            { property: "connection.driver", reason: `unknown driver "${String(name)}"; allowed: ${allowed}` },
        ]);
    }
    return load();
}

export function capabilitiesOf(name: DriverName): Capabilities {
    return driverModule(name).capabilities;
}

export function openDriver(conn: Connection, ctx: DriverContext = {}): Driver {
    return driverModule(conn.driver).open(conn, ctx);
}
