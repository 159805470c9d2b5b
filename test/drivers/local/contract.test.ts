import { capabilities } from "../../../provider/drivers/local";
import { describeClusterContract } from "../../contract/cluster.contract";
import type { ContractEnv } from "../../contract/env";
import { describeNlbContract } from "../../contract/nlb.contract";
import { contractEnv, freshLocalCloud, LocalFixture } from "./helpers";

describe("local driver: shared contract", function () {
    let fixture: LocalFixture | undefined;
    let env: ContractEnv | undefined;

    before(function () {
        fixture = freshLocalCloud();
        env = contractEnv(fixture);
    });

    after(function () {
        fixture?.cleanup();
    });

    const getEnv = (): ContractEnv => {
        if (!env) throw new Error("the local contract env was not built (the before hook failed)");
        return env;
    };
    describeNlbContract("local", getEnv, capabilities);
    describeClusterContract("local", getEnv, capabilities);
});
