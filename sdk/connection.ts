import * as pulumi from "@pulumi/pulumi";

/**
 * Which cloud a resource lives in. Stored in state as plain data, so it never carries
 * credentials: those come from each cloud's default chain (AWS env/profile/instance role, GCP
 * ADC) or from stack config `spider:awsAccessKeyId`, `spider:awsSecretAccessKey`,
 * `spider:awsSessionToken`, `spider:awsProfile`, `spider:gcpCredentialsJson` (set them with
 * `pulumi config set --secret`). Changing any field replaces the resource.
 */
export interface ConnectionArgs {
    /** Driver: "local" (embedded cloud, no account), "aws" or "gcp". */
    driver: pulumi.Input<"local" | "aws" | "gcp">;
    /** Region. Default: AWS `AWS_REGION` or us-east-1; GCP us-central1; local "local-1". */
    region?: pulumi.Input<string>;
    /** Zone, where a driver needs one. Default: none. */
    zone?: pulumi.Input<string>;
    /** GCP project id. Default: `GOOGLE_CLOUD_PROJECT`. Required for gcp. */
    project?: pulumi.Input<string>;
    /** API endpoint override (moto, the GCP fake, private endpoints), e.g. "http://127.0.0.1:5000". Default: the cloud's public endpoint. */
    endpoint?: pulumi.Input<string>;
    /** Local driver only: folder holding the embedded cloud's state. Default: `.spider-local` in the program's directory. */
    localStateDir?: pulumi.Input<string>;
}

/** Per-resource wait limits in minutes (the Node.js dynamic-provider host ignores `customTimeouts`). */
export interface TimeoutsArgs {
    /** Minutes to wait for create. Default: driver's (AWS cluster 30, node group 40, NLB 10). */
    create?: pulumi.Input<number>;
    /** Minutes to wait for each update step. Default: driver's. */
    update?: pulumi.Input<number>;
    /** Minutes to wait for delete. Default: driver's. */
    delete?: pulumi.Input<number>;
}
