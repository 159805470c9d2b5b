/**
 * The building blocks cloud rules are made of: each returns the issues of one value, with the
 * property path and the allowed values, so every driver (and the embedded cloud's own API
 * checks) reports a refused value the same way.
 */
import type { NameRule } from "./driver";
import { FieldIssue, ValidationError } from "./errors";

export function nameIssues(rule: NameRule, name: string, property: string): FieldIssue[] {
    if (typeof name !== "string" || name.length === 0) return [{ property, reason: "is required" }];
    if (name.length > rule.maxLength)
        return [{ property, reason: `is ${name.length} characters; at most ${rule.maxLength} allowed` }];
    if (!rule.pattern.test(name)) return [{ property, reason: `"${name}" is not valid: must be ${rule.description}` }];
    return [];
}

export function intIssues(value: unknown, min: number, max: number, property: string): FieldIssue[] {
    if (typeof value !== "number" || !Number.isInteger(value))
        return [{ property, reason: `must be an integer, got ${JSON.stringify(value)}` }];
    if (value < min || value > max) return [{ property, reason: `must be between ${min} and ${max}, got ${value}` }];
    return [];
}

export function oneOfIssues<T>(value: T, allowed: readonly T[], property: string): FieldIssue[] {
    return allowed.includes(value)
        ? []
        : [{ property, reason: `must be one of ${allowed.join(", ")}, got ${JSON.stringify(value)}` }];
}

/** AWS's tag limits, so tagged programs port to AWS unchanged. */
export function tagIssues(tags: Record<string, string>, property: string): FieldIssue[] {
    const issues: FieldIssue[] = [];
    for (const [k, v] of Object.entries(tags ?? {})) {
        if (k.length === 0 || k.length > 128)
            issues.push({ property: `${property}.${k}`, reason: "tag keys need 1–128 characters" });
        if (typeof v !== "string") issues.push({ property: `${property}.${k}`, reason: "tag values must be strings" });
        else if (v.length > 256)
            issues.push({ property: `${property}.${k}`, reason: "tag values have at most 256 characters" });
    }
    return issues;
}

export function throwIfIssues(issues: FieldIssue[]): void {
    if (issues.length > 0) throw new ValidationError(issues);
}
