import type { Capabilities, Connection, Driver, DriverContext, DriverModule, DriverName } from "./driver";
import { ValidationError } from "./errors";

export const DRIVER_NAMES: readonly DriverName[] = ["local", "aws", "gcp"];

/** Loads a driver module lazily so a local-only program never loads the cloud SDKs. */
export function driverModule(name: DriverName): DriverModule {
    switch (name) {
        case "local": return require("../drivers/local") as DriverModule;
        case "aws": return require("../drivers/aws") as DriverModule;
        case "gcp": return require("../drivers/gcp") as DriverModule;
        default:
            throw new ValidationError([{ property: "connection.driver", reason: `unknown driver "${String(name)}"; allowed: ${DRIVER_NAMES.join(", ")}` }]);
    }
}

export function capabilitiesOf(name: DriverName): Capabilities {
    return driverModule(name).capabilities;
}

export function openDriver(conn: Connection, ctx: DriverContext = {}): Driver {
    return driverModule(conn.driver).open(conn, ctx);
}
