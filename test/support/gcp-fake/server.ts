/**
 * HTTP front of the fake: the Compute REST routes the gcp driver uses (paths as the real
 * `@google-cloud/compute` client sends them in REST mode), list paging and filters, the request log,
 * failure injection, and the `/__fake/...` control API used by launch.ts.
 */
import * as http from "http";
import { HttpError, gkeErrorBody, invalidField } from "./errors";
import { FakeContainer } from "./container";
import {
    changeMembers,
    getHealth,
    insertBackendService,
    insertHealthCheck,
    insertInstanceGroup,
    listGroupInstances,
    updateBackendService,
    updateHealthCheck,
} from "./balancing";
import { deleteForwardingRule, insertAddress, insertForwardingRule, setLabels } from "./frontends";
import { API_ROOT, FakeCompute, Json, REGIONS, SeedInstance, isObject } from "./model";

/** One injected failure rule; see `FailNextMatch` in launch.ts for the meaning of each field. */
export interface FailRule {
    method?: string;
    path?: string | { source: string; flags: string };
    status?: number;
    reason?: string;
    message?: string;
    asOperationError?: boolean;
    times: number;
}

export interface LoggedRequest {
    method: string;
    path: string;
}

const LIST_KINDS: Record<string, string> = {
    healthChecks: "healthCheck",
    backendServices: "backendService",
    addresses: "address",
    forwardingRules: "forwardingRule",
    subnetworks: "subnetwork",
    networks: "network",
    instances: "instance",
    instanceGroups: "instanceGroup",
    instanceGroupManagers: "instanceGroupManager",
    operations: "operation",
};

const REGIONAL = ["healthChecks", "backendServices", "addresses", "forwardingRules", "subnetworks"];
const NAME = "[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?";

type RouteFn = (m: RegExpExecArray, body: Json, q: URLSearchParams) => Json;

class Router {
    private readonly routes: Array<{ method: string; re: RegExp; fn: RouteFn }> = [];

    on(method: string, pattern: string, fn: RouteFn): void {
        this.routes.push({ method, re: new RegExp(`^${pattern}$`), fn });
    }

    dispatch(method: string, rest: string, body: Json, q: URLSearchParams): Json | undefined {
        let pathMatched = false;
        for (const r of this.routes) {
            const m = r.re.exec(rest);
            if (!m) continue;
            pathMatched = true;
            if (r.method === method) return r.fn(m, body, q);
        }
        if (pathMatched)
            throw new HttpError(405, "httpMethodNotAllowed", `Method ${method} is not allowed on this resource`);
        return undefined;
    }
}

/** Compute list filter subset: `name = "x"`, `name != x`, `name eq regex`, joined by OR or AND. */
export function parseFilter(expr: string): (item: Json) => boolean {
    const trimmed = expr.trim();
    if (trimmed === "") return () => true;
    const joiner = /\)\s+AND\s+\(|\s+AND\s+/.test(trimmed) ? "AND" : "OR";
    const parts = trimmed.split(joiner === "AND" ? /\s+AND\s+/ : /\s+OR\s+/);
    const preds = parts.map(part => {
        const p = part
            .trim()
            .replace(/^\(\s*/, "")
            .replace(/\s*\)$/, "");
        const m = /^([A-Za-z.]+)\s*(=|!=|\beq\b|\bne\b)\s*(.+)$/.exec(p);
        if (!m) throw invalidField("filter", expr, "Invalid list filter expression.");
        const [, field, op, rawValue] = m;
        const value = rawValue
            .trim()
            .replace(/^"(.*)"$/, "$1")
            .replace(/^'(.*)'$/, "$1");
        const get = (item: Json): string => String(item[field] ?? "");
        switch (op) {
            case "=":
                return (i: Json) => get(i) === value;
            case "!=":
                return (i: Json) => get(i) !== value;
            case "eq": {
                const re = new RegExp(`^(?:${value})$`);
                return (i: Json) => re.test(get(i));
            }
            default: {
                const re = new RegExp(`^(?:${value})$`);
                return (i: Json) => !re.test(get(i));
            }
        }
    });
    return joiner === "AND" ? (i: Json) => preds.every(p => p(i)) : (i: Json) => preds.some(p => p(i));
}

function page(items: Json[], q: URLSearchParams): { items: Json[]; nextPageToken?: string } {
    const filter = parseFilter(q.get("filter") ?? "");
    const filtered = items.filter(filter).sort((a, b) => String(a.name).localeCompare(String(b.name)));
    const max = Math.min(500, Math.max(1, Number(q.get("maxResults") ?? 500) || 500));
    const start = q.get("pageToken") ? Number(Buffer.from(q.get("pageToken")!, "base64").toString()) : 0;
    const slice = filtered.slice(start, start + max);
    const out: { items: Json[]; nextPageToken?: string } = { items: slice };
    if (start + max < filtered.length) out.nextPageToken = Buffer.from(String(start + max)).toString("base64");
    return out;
}

export class GcpFakeServer {
    readonly model: FakeCompute;
    readonly container: FakeContainer;
    private readonly router = new Router();
    /** Kubernetes Engine v1 routes, relative to `/v1/projects/P/locations/L/`. */
    private readonly gkeRouter = new Router();
    private failRules: FailRule[] = [];
    private log: LoggedRequest[] = [];
    readonly server: http.Server;

    constructor(opts: { opPolls?: number; project?: string } = {}) {
        this.model = new FakeCompute(opts);
        this.container = new FakeContainer(this.model);
        this.routes();
        this.containerRoutes();
        this.server = http.createServer((req, res) => {
            void this.handle(req, res);
        });
    }

    listen(port: number): Promise<number> {
        return new Promise((resolve, reject) => {
            this.server.once("error", reject);
            this.server.listen(port, "127.0.0.1", () => {
                const addr = this.server.address();
                resolve(typeof addr === "object" && addr ? addr.port : port);
            });
        });
    }

    private routes(): void {
        const m = this.model;
        const r = this.router;
        const rq = (q: URLSearchParams): string | undefined => q.get("requestId") ?? undefined;
        const list = (scope: string, coll: string, q: URLSearchParams): Json => ({
            kind: `compute#${LIST_KINDS[coll]}List`,
            id: `projects/${m.project}/${scope}/${coll}`,
            ...page(m.list(scope, coll), q),
            selfLink: `${API_ROOT}/projects/${m.project}/${scope}/${coll}`,
        });
        const region = (reg: string): string => {
            m.checkRegion(reg);
            return reg;
        };
        const zone = (z: string): string => {
            m.checkZone(z);
            return z;
        };

        r.on("GET", `regions/([^/]+)`, ([, reg]) => ({
            kind: "compute#region",
            name: region(reg),
            status: "UP",
            selfLink: `${API_ROOT}/projects/${m.project}/regions/${reg}`,
            zones: REGIONS[reg].map(z => `${API_ROOT}/projects/${m.project}/zones/${z}`),
        }));
        r.on("GET", `zones/([^/]+)`, ([, z]) => ({
            kind: "compute#zone",
            name: zone(z),
            status: "UP",
            selfLink: `${API_ROOT}/projects/${m.project}/zones/${z}`,
            region: `${API_ROOT}/projects/${m.project}/regions/${z.replace(/-[a-z]$/, "")}`,
        }));
        r.on(
            "GET",
            `aggregated/(instances|instanceGroups|forwardingRules|addresses|backendServices|healthChecks)`,
            ([, coll], _b, q) => {
                const filter = parseFilter(q.get("filter") ?? "");
                const items: Json = {};
                for (const scope of m.scopesOf(coll)) {
                    const found = m.list(scope, coll).filter(filter);
                    items[scope] =
                        found.length > 0
                            ? { [coll]: found }
                            : {
                                  warning: {
                                      code: "NO_RESULTS_ON_PAGE",
                                      message: `There are no results for scope '${scope}' on this page.`,
                                      data: [{ key: "scope", value: scope }],
                                  },
                              };
                }
                return {
                    kind: `compute#${LIST_KINDS[coll]}AggregatedList`,
                    id: `projects/${m.project}/aggregated/${coll}`,
                    items,
                    selfLink: `${API_ROOT}/projects/${m.project}/aggregated/${coll}`,
                };
            },
        );
        r.on("GET", `global/networks`, (_m, _b, q) => list("global", "networks", q));
        r.on("GET", `global/networks/(${NAME})`, ([, n]) => m.get("global", "networks", n));

        for (const kind of ["regions", "zones"]) {
            const check = kind === "regions" ? region : zone;
            r.on("GET", `${kind}/([^/]+)/operations/([^/]+)`, ([, s, op]) =>
                m.pollOperation(`${kind}/${check(s)}`, op),
            );
            r.on("POST", `${kind}/([^/]+)/operations/([^/]+)/wait`, ([, s, op]) =>
                m.pollOperation(`${kind}/${check(s)}`, op),
            );
        }

        const coll = `(${REGIONAL.join("|")})`;
        r.on("GET", `regions/([^/]+)/${coll}`, ([, reg, c], _b, q) => list(`regions/${region(reg)}`, c, q));
        r.on("GET", `regions/([^/]+)/${coll}/(${NAME})`, ([, reg, c, n]) => m.get(`regions/${region(reg)}`, c, n));
        r.on("DELETE", `regions/([^/]+)/${coll}/(${NAME})`, ([, reg, c, n], _b, q) =>
            c === "forwardingRules"
                ? deleteForwardingRule(m, region(reg), n, rq(q))
                : m.delete(`regions/${region(reg)}`, c, n, rq(q)),
        );
        r.on("POST", `regions/([^/]+)/${coll}`, ([, reg, c], b, q) => {
            region(reg);
            switch (c) {
                case "healthChecks":
                    return insertHealthCheck(m, reg, b, rq(q));
                case "backendServices":
                    return insertBackendService(m, reg, b, rq(q));
                case "addresses":
                    return insertAddress(m, reg, b, rq(q));
                case "forwardingRules":
                    return insertForwardingRule(m, reg, b, rq(q));
                default:
                    throw new HttpError(400, "badRequest", `The fake does not implement inserting ${c}`);
            }
        });
        for (const [method, merge] of [
            ["PATCH", true],
            ["PUT", false],
        ] as const) {
            r.on(method, `regions/([^/]+)/(healthChecks|backendServices)/(${NAME})`, ([, reg, c, n], b, q) =>
                c === "healthChecks"
                    ? updateHealthCheck(m, region(reg), n, b, merge, rq(q))
                    : updateBackendService(m, region(reg), n, b, merge, rq(q)),
            );
        }
        r.on("POST", `regions/([^/]+)/(forwardingRules|addresses)/(${NAME})/setLabels`, ([, reg, c, n], b, q) =>
            setLabels(m, region(reg), c as "forwardingRules" | "addresses", n, b, rq(q)),
        );
        r.on("POST", `regions/([^/]+)/backendServices/(${NAME})/getHealth`, ([, reg, n], b) =>
            getHealth(m, region(reg), n, b),
        );

        r.on("GET", `zones/([^/]+)/instances`, ([, z], _b, q) => list(`zones/${zone(z)}`, "instances", q));
        r.on("GET", `zones/([^/]+)/instances/(${NAME})`, ([, z, n]) => m.get(`zones/${zone(z)}`, "instances", n));
        r.on("GET", `zones/([^/]+)/instanceGroups`, ([, z], _b, q) => list(`zones/${zone(z)}`, "instanceGroups", q));
        r.on("POST", `zones/([^/]+)/instanceGroups`, ([, z], b, q) => insertInstanceGroup(m, zone(z), b, rq(q)));
        r.on("GET", `zones/([^/]+)/instanceGroups/(${NAME})`, ([, z, n]) =>
            m.get(`zones/${zone(z)}`, "instanceGroups", n),
        );
        r.on("DELETE", `zones/([^/]+)/instanceGroups/(${NAME})`, ([, z, n], _b, q) =>
            m.delete(`zones/${zone(z)}`, "instanceGroups", n, rq(q)),
        );
        r.on("POST", `zones/([^/]+)/instanceGroups/(${NAME})/(addInstances|removeInstances)`, ([, z, n, verb], b, q) =>
            changeMembers(m, zone(z), n, verb as "addInstances" | "removeInstances", b, rq(q)),
        );
        r.on("POST", `zones/([^/]+)/instanceGroups/(${NAME})/listInstances`, ([, z, n], b, q) => {
            const state = isObject(b) && typeof b.instanceState === "string" ? b.instanceState : "ALL";
            const items = listGroupInstances(m, zone(z), n).filter(i => state === "ALL" || i.status === "RUNNING");
            return {
                kind: "compute#instanceGroupsListInstances",
                id: `projects/${m.project}/zones/${z}/instanceGroups/${n}/listInstances`,
                ...pageInstances(items, q),
            };
        });

        // Managed instance groups exist only as the nodes of GKE node pools (container.ts).
        const k = this.container;
        r.on("GET", `zones/([^/]+)/instanceGroupManagers`, ([, z], _b, q) => ({
            kind: "compute#instanceGroupManagerList",
            ...page(k.listInstanceGroupManagers(zone(z)), q),
            selfLink: `${API_ROOT}/projects/${m.project}/zones/${z}/instanceGroupManagers`,
        }));
        r.on("GET", `zones/([^/]+)/instanceGroupManagers/(${NAME})`, ([, z, n]) =>
            k.getInstanceGroupManager(zone(z), n),
        );
        r.on("POST", `zones/([^/]+)/instanceGroupManagers/(${NAME})/listManagedInstances`, ([, z, n]) =>
            k.listManagedInstances(zone(z), n),
        );
    }

    /** The container v1 paths the REST fallback of @google-cloud/container sends (cluster_service.proto). */
    private containerRoutes(): void {
        const k = this.container;
        const r = {
            on: (method: string, pattern: string, fn: RouteFn): void =>
                this.gkeRouter.on(method, `([^/]+)/${pattern}`, fn),
        };
        const C = "clusters/([^/:]+)";
        const NP = `${C}/nodePools/([^/:]+)`;
        r.on("GET", "serverConfig", ([, loc]) => k.serverConfig(loc));
        r.on("GET", "operations", ([, loc]) => k.listOperations(loc));
        r.on("GET", "operations/([^/:]+)", ([, loc, op]) => k.getOperation(loc, op));
        r.on("GET", "clusters", ([, loc]) => k.listClusters(loc));
        r.on("POST", "clusters", ([, loc], b) => k.createCluster(loc, b));
        r.on("GET", C, ([, loc, c]) => k.getCluster(loc, c));
        r.on("PUT", C, ([, loc, c], b) => k.updateCluster(loc, c, b));
        r.on("DELETE", C, ([, loc, c]) => k.deleteCluster(loc, c));
        r.on("POST", `${C}:setResourceLabels`, ([, loc, c], b) => k.setResourceLabels(loc, c, b));
        r.on("GET", `${C}/nodePools`, ([, loc, c]) => k.listNodePools(loc, c));
        r.on("POST", `${C}/nodePools`, ([, loc, c], b) => k.createNodePool(loc, c, b));
        r.on("GET", NP, ([, loc, c, np]) => k.getNodePool(loc, c, np));
        r.on("PUT", NP, ([, loc, c, np], b) => k.updateNodePool(loc, c, np, b));
        r.on("DELETE", NP, ([, loc, c, np]) => k.deleteNodePool(loc, c, np));
        r.on("POST", `${NP}:setSize`, ([, loc, c, np], b) => k.setNodePoolSize(loc, c, np, b));
        r.on("POST", `${NP}:setAutoscaling`, ([, loc, c, np], b) => k.setNodePoolAutoscaling(loc, c, np, b));
    }

    /** Routes `/v1/projects/P/locations/L/...`; the location is the first capture of every route. */
    private dispatchContainer(method: string, path: string, body: Json, q: URLSearchParams): Json | undefined {
        const m = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/(.+)$/.exec(path);
        if (!m) return undefined;
        this.container.checkProject(m[1]);
        return this.gkeRouter.dispatch(method, `${m[2]}/${m[3]}`, body, q);
    }

    private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        const url = new URL(req.url ?? "/", "http://127.0.0.1");
        const method = (req.method ?? "GET").toUpperCase();
        const isContainer = url.pathname.startsWith("/v1/");
        let raw = "";
        for await (const chunk of req) raw += String(chunk);
        const send = (status: number, body: unknown): void => {
            const text = JSON.stringify(body);
            res.writeHead(status, {
                "content-type": "application/json; charset=UTF-8",
                "content-length": Buffer.byteLength(text),
            });
            res.end(text);
        };
        try {
            let body: Json = {};
            if (raw.trim() !== "") {
                try {
                    const parsed: unknown = JSON.parse(raw);
                    body = isObject(parsed) ? parsed : {};
                } catch {
                    throw new HttpError(400, "parseError", "This API does not support parsing form-encoded input.");
                }
            }
            if (url.pathname.startsWith("/__fake/")) {
                send(200, this.control(method, url.pathname.slice("/__fake/".length), body));
                return;
            }
            this.log.push({ method, path: url.pathname });
            const injected = this.takeFailure(method, url.pathname);
            if (injected) {
                const op = isContainer
                    ? this.container.failedOperation(method, url.pathname, body, injected)
                    : this.injectedOperation(method, url.pathname, body, injected);
                send(200, op);
                return;
            }
            if (isContainer) {
                const out = this.dispatchContainer(method, url.pathname, body, url.searchParams);
                if (!out) throw new HttpError(404, "notFound", `The fake does not implement ${method} ${url.pathname}`);
                send(200, out);
                return;
            }
            const m = /^\/compute\/v1\/projects\/([^/]+)\/(.+)$/.exec(url.pathname);
            if (!m) throw new HttpError(404, "notFound", `No such API path: ${url.pathname}`);
            this.model.checkProject(m[1]);
            const out = this.router.dispatch(method, m[2], body, url.searchParams);
            if (!out) throw new HttpError(404, "notFound", `The fake does not implement ${method} ${url.pathname}`);
            send(200, out);
        } catch (err) {
            if (err instanceof HttpError) {
                send(err.status, isContainer ? gkeErrorBody(err) : err.body());
            } else {
                const e = new HttpError(
                    500,
                    "backendError",
                    `gcp-fake internal error: ${err instanceof Error ? err.stack : String(err)}`,
                );
                send(500, isContainer ? gkeErrorBody(e) : e.body());
            }
        }
    }

    /** Consumes a matching rule: throws its HTTP error, or returns the error for a failed operation. */
    private takeFailure(method: string, path: string): HttpError | undefined {
        const idx = this.failRules.findIndex(r => {
            if (r.method && r.method.toUpperCase() !== method) return false;
            if (r.path === undefined) return true;
            if (typeof r.path === "string") return path.includes(r.path);
            return new RegExp(r.path.source, r.path.flags).test(path);
        });
        if (idx < 0) return undefined;
        const rule = this.failRules[idx];
        rule.times -= 1;
        if (rule.times <= 0) this.failRules.splice(idx, 1);
        const asOp = rule.asOperationError === true;
        const status = rule.status ?? (asOp ? 400 : 503);
        const reason = rule.reason ?? (asOp ? "QUOTA_EXCEEDED" : "backendError");
        const message = rule.message ?? `Injected failure (gcp-fake) for ${method} ${path}`;
        if (!asOp) throw new HttpError(status, reason, message);
        return new HttpError(status, reason, message, reason);
    }

    /** A failed operation for an injected `asOperationError`: accepted, then DONE with `error`. */
    private injectedOperation(method: string, path: string, body: Json, error: HttpError): Json {
        const m =
            /^\/compute\/v1\/projects\/[^/]+\/((?:regions|zones)\/[^/]+|global)\/([A-Za-z]+)(?:\/([^/]+))?(?:\/([A-Za-z]+))?$/.exec(
                path,
            );
        if (!m) throw new HttpError(400, "invalid", `asOperationError needs a mutation path, got ${path}`);
        const [, scope, coll, name, verb] = m;
        const target = name ?? (typeof body.name === "string" ? body.name : "unknown");
        const type = verb
            ? coll === "instanceGroups"
                ? `compute.instanceGroups.${verb}`
                : verb
            : (({ POST: "insert", DELETE: "delete", PATCH: "patch", PUT: "update" } as Record<string, string>)[
                  method
              ] ?? method.toLowerCase());
        return this.model.failedOperation(scope, type, this.model.link(scope, coll, target), error);
    }

    private control(method: string, what: string, body: Json): unknown {
        const key = `${method} ${what}`;
        switch (key) {
            case "POST reset":
                this.model.reset();
                this.container.reset();
                this.failRules = [];
                this.log = [];
                return {};
            case "POST fail": {
                const times = Number(body.times ?? 1);
                this.failRules.push({ ...(body as Partial<FailRule>), times: times > 0 ? times : 1 });
                return {};
            }
            case "GET requests":
                return this.log;
            case "DELETE requests":
                this.log = [];
                return {};
            case "POST instances":
                this.model.addInstance(body as unknown as SeedInstance);
                return {};
            case "POST health":
                this.model.setHealth(String(body.zone), String(body.name), body.healthy === true);
                return {};
            case "GET inventory":
                return { ...this.model.inventory(), ...this.container.inventory() };
            case "POST config":
                if (body.opPolls !== undefined) this.model.opPolls = Number(body.opPolls);
                return { opPolls: this.model.opPolls };
            case "GET info":
                return { project: this.model.project, regions: REGIONS, opPolls: this.model.opPolls };
            default:
                throw new HttpError(404, "notFound", `Unknown control call ${key}`);
        }
    }
}

function pageInstances(items: Json[], q: URLSearchParams): Json {
    const max = Math.min(500, Math.max(1, Number(q.get("maxResults") ?? 500) || 500));
    const start = q.get("pageToken") ? Number(Buffer.from(q.get("pageToken")!, "base64").toString()) : 0;
    const out: Json = { items: items.slice(start, start + max) };
    if (start + max < items.length) out.nextPageToken = Buffer.from(String(start + max)).toString("base64");
    return out;
}
