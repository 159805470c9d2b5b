import * as pulumi from "@pulumi/pulumi";

/**
 * Which cloud a resource lives in. Stored in state as plain data, so it never carries
 * credentials: those come from each cloud's default chain (AWS env/profile/instance role, GCP
 * ADC) or from stack config `spider:awsAccessKeyId`, `spider:awsSecretAccessKey`,
 * `spider:awsSessionToken`, `spider:awsProfile`, `spider:gcpCredentialsJson` (set them with
 * `pulumi config set --secret`).
 */
export interface ConnectionArgs {
    /**
     * Driver: "local" is an embedded cloud that needs no account. Allowed: "aws", "gcp" or "local". A change
     * replaces the resource.
     */
    driver: pulumi.Input<"local" | "aws" | "gcp">;
    /**
     * Region. Default: AWS `AWS_REGION` or us-east-1; GCP us-central1; local "local-1". A change replaces the
     * resource.
     */
    region?: pulumi.Input<string>;
    /** Zone, where a driver needs one. Default: none. A change replaces the resource. */
    zone?: pulumi.Input<string>;
    /** GCP project id, required for gcp. Default: `GOOGLE_CLOUD_PROJECT`. A change replaces the resource. */
    project?: pulumi.Input<string>;
    /**
     * API endpoint override (moto, the GCP fake, private endpoints), e.g. "http://127.0.0.1:5000". Default: the
     * cloud's public endpoint. A change replaces the resource.
     */
    endpoint?: pulumi.Input<string>;
    /**
     * Local driver only: folder holding the embedded cloud's state. Default: `.spider-local` in the program's
     * directory. A change replaces the resource.
     */
    localStateDir?: pulumi.Input<string>;
}

/** Per-resource wait limits in minutes (the Node.js dynamic-provider host ignores `customTimeouts`). */
export interface TimeoutsArgs {
    /**
     * Minutes to wait for create. Default: the driver's (AWS cluster 30, node group 40, NLB 10). A change is
     * recorded in state only (no cloud call).
     */
    create?: pulumi.Input<number>;
    /**
     * Minutes to wait for each update step. Default: the driver's. A change is recorded in state only (no cloud
     * call).
     */
    update?: pulumi.Input<number>;
    /** Minutes to wait for delete. Default: the driver's. A change is recorded in state only (no cloud call). */
    delete?: pulumi.Input<number>;
}
