/**
 * How the URN of the resource that created a cloud object is written onto it and read back.
 * Shared by every driver that records owners in key/value tags (AWS tags, the local cloud);
 * drivers without room for a URN in a tag (GCE labels: 63 characters) use the same values in a
 * description instead.
 */
import { createHash } from "crypto";
import type { OwnerUrn } from "./driver";

export const OWNER_URN_TAG = "spider:urn";
export const OWNER_STACK_TAG = "spider:stack";

/** AWS tag values hold at most 256 characters; longer URNs are recorded as their digest. */
const MAX_VALUE = 256;

/** `urn:pulumi:STACK::PROJECT::TYPE::NAME` → `PROJECT/STACK` (or "" for a malformed URN). */
export function stackOfUrn(urn: OwnerUrn): string {
    const match = /^urn:pulumi:([^:]+)::([^:]+)::/.exec(urn);
    return match ? `${match[2]}/${match[1]}`.slice(0, MAX_VALUE) : "";
}

/** What is recorded for a URN: the URN itself, or `sha256:<hex>` when it is too long for a tag. */
export function ownerValue(urn: OwnerUrn): string {
    return urn.length <= MAX_VALUE ? urn : `sha256:${createHash("sha256").update(urn).digest("hex")}`;
}

export function ownerTags(urn: OwnerUrn | undefined): Record<string, string> {
    return urn ? { [OWNER_URN_TAG]: ownerValue(urn), [OWNER_STACK_TAG]: stackOfUrn(urn) } : {};
}

export function ownerFromTags(tags: Record<string, string> | undefined): OwnerUrn | undefined {
    const value = tags?.[OWNER_URN_TAG];
    return value ? value : undefined;
}

/** Whether a recorded owner (as `ownerValue` wrote it) names this URN. */
export function isOwnedBy(recorded: string | undefined, urn: OwnerUrn): boolean {
    return recorded !== undefined && recorded !== "" && (recorded === urn || recorded === ownerValue(urn));
}

/** `{ owner }` when known, `{}` otherwise: Info objects of unowned objects carry no owner key at all. */
export function ownerField(owner: OwnerUrn | undefined): { owner?: OwnerUrn } {
    return owner ? { owner } : {};
}
