//! The OpenAPI 3 document served at `/api/v1/openapi.json`, written by hand beside the routes
//! (a test checks that it lists every route the router serves).

use serde_json::{Value, json};

use benchgate_pipeline::history::DEFAULT_MIN_SEGMENT;

use benchgate_store::{DEFAULT_PROJECT, PROJECT_NAME_RULE};

use crate::api::{DEFAULT_LIMIT, MAX_BODY_BYTES, MAX_LIMIT};

fn error_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
    })
}

fn limit_parameter() -> Value {
    json!({
        "name": "limit", "in": "query", "required": false,
        "description": format!("how many to answer, newest (default {DEFAULT_LIMIT})"),
        "schema": { "type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT }
    })
}

/// `?project=` of a read: which project's runs (a token limited to a project reads only it).
fn project_parameter() -> Value {
    json!({
        "name": "project", "in": "query", "required": false,
        "description": format!("the project read (default {DEFAULT_PROJECT:?}); a project name is {PROJECT_NAME_RULE}"),
        "schema": { "type": "string", "maxLength": 100, "default": DEFAULT_PROJECT }
    })
}

fn run_id_parameter(name: &str, location: &str) -> Value {
    json!({
        "name": name, "in": location, "required": true,
        "description": "a run id (a UUID, optionally written run:UUID)",
        "schema": { "type": "string", "format": "uuid" }
    })
}

/// The query parameters of `/series` and `/series.csv`.
fn series_parameters() -> Value {
    json!([
        project_parameter(),
        { "name": "bench", "in": "query", "required": true, "schema": { "type": "string" } },
        { "name": "measure", "in": "query", "required": false, "schema": { "type": "string", "default": "wall_time" } },
        limit_parameter(),
        { "name": "fingerprint", "in": "query", "required": false,
          "description": "only the points of machines with this environment fingerprint",
          "schema": { "type": "string" } },
        { "name": "min_segment", "in": "query", "required": false,
          "description": "how many runs a level of the change-point detection lasts at least",
          "schema": { "type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_MIN_SEGMENT } }
    ])
}

/// The document: every endpoint, its parameters and its answers.
pub fn document() -> Value {
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "benchgate server API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The benchgate history store: runs uploaded by CI into projects, read back as projects, branches, runs, benchmarks, series, comparisons and verdicts. Errors answer {\"error\": message} with the query `parameter` or the JSON `path` at fault when known."
        },
        "paths": {
            "/api/v1/runs": {
                "get": {
                    "summary": "The stored runs of a project, newest first",
                    "parameters": [limit_parameter(), project_parameter()],
                    "responses": {
                        "200": {
                            "description": "run summaries",
                            "content": { "application/json": { "schema": {
                                "type": "array", "items": { "$ref": "#/components/schemas/RunSummary" }
                            } } }
                        },
                        "400": error_response("a bad or unknown query parameter"),
                        "403": error_response("a token limited to another project (private server)"),
                        "404": error_response("no such project")
                    }
                },
                "post": {
                    "summary": "Store a run (canonical run JSON, schema benchgate/run/v1) into the token's project; needs a write token",
                    "security": [{ "bearer": [] }],
                    "parameters": [{
                        "name": "project", "in": "query", "required": false,
                        "description": format!("the project to store into, for a token of no project (default {DEFAULT_PROJECT:?}); a token of a project stores into it and may name only it; a project name is {PROJECT_NAME_RULE}"),
                        "schema": { "type": "string", "maxLength": 100 }
                    }],
                    "requestBody": {
                        "required": true,
                        "description": format!("at most {MAX_BODY_BYTES} bytes"),
                        "content": { "application/json": { "schema": { "type": "object" } } }
                    },
                    "responses": {
                        "201": {
                            "description": "stored",
                            "content": { "application/json": { "schema": {
                                "type": "object",
                                "properties": {
                                    "id": { "type": "string", "format": "uuid" },
                                    "project": { "type": "string" },
                                    "url": { "type": "string" }
                                }
                            } } }
                        },
                        "400": error_response("not a valid run (`path` is the JSON path of the problem), or a bad project name"),
                        "401": error_response("no token, or an unknown one"),
                        "403": error_response("a read token (uploading needs a write token), or a token of another project"),
                        "409": error_response("a run with this id is already stored"),
                        "413": error_response("the body is larger than the limit")
                    }
                }
            },
            "/api/v1/runs/{id}": {
                "get": {
                    "summary": "One stored run as canonical JSON (as `benchgate export` prints it)",
                    "parameters": [run_id_parameter("id", "path")],
                    "responses": {
                        "200": { "description": "the run", "content": { "application/json": { "schema": { "type": "object" } } } },
                        "400": error_response("the id is not a UUID"),
                        "403": error_response("a token limited to another project (private server)"),
                        "404": error_response("no stored run has this id")
                    }
                }
            },
            "/api/v1/runs/{id}/verdicts": {
                "get": {
                    "summary": "A run judged against the run before it: the newest earlier run of the same project, branch, machine (environment fingerprint), mode and source",
                    "parameters": [run_id_parameter("id", "path")],
                    "responses": {
                        "200": {
                            "description": "the baseline used and the verdict document; both null (with a `note`) when there is no earlier run",
                            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/RunVerdicts" } } }
                        },
                        "400": error_response("the id is not a UUID"),
                        "403": error_response("a token limited to another project (private server)"),
                        "404": error_response("no stored run has this id")
                    }
                }
            },
            "/api/v1/projects": {
                "get": {
                    "summary": "Every project (only its own for a token limited to one), by name",
                    "responses": {
                        "200": {
                            "description": "projects",
                            "content": { "application/json": { "schema": {
                                "type": "array", "items": { "$ref": "#/components/schemas/Project" }
                            } } }
                        },
                        "400": error_response("an unknown query parameter")
                    }
                }
            },
            "/api/v1/projects/{project}/branches": {
                "get": {
                    "summary": "The branches of a project's runs, by name (runs without a branch last, name null)",
                    "parameters": [{
                        "name": "project", "in": "path", "required": true,
                        "description": format!("a project name: {PROJECT_NAME_RULE}"),
                        "schema": { "type": "string", "maxLength": 100 }
                    }],
                    "responses": {
                        "200": {
                            "description": "branches",
                            "content": { "application/json": { "schema": {
                                "type": "array", "items": { "$ref": "#/components/schemas/Branch" }
                            } } }
                        },
                        "400": error_response("a bad project name"),
                        "403": error_response("a token limited to another project (private server)"),
                        "404": error_response("no such project")
                    }
                }
            },
            "/api/v1/comparisons": {
                "get": {
                    "summary": "Run `head` judged against run `base`: the verdict document `benchgate compare BASE HEAD --format json` prints (default settings, the machine's noise floors)",
                    "parameters": [run_id_parameter("base", "query"), run_id_parameter("head", "query")],
                    "responses": {
                        "200": {
                            "description": "the comparison (schema benchgate/comparison/v1)",
                            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Comparison" } } }
                        },
                        "400": error_response("a missing or malformed run id, or an unknown query parameter"),
                        "403": error_response("a token limited to another project (private server)"),
                        "404": error_response("no stored run has the id of `base` or `head`")
                    }
                }
            },
            "/api/v1/benchmarks": {
                "get": {
                    "summary": "Every benchmark with a stored measurement in a project, by name",
                    "parameters": [project_parameter()],
                    "responses": {
                        "200": {
                            "description": "benchmarks",
                            "content": { "application/json": { "schema": {
                                "type": "array",
                                "items": { "type": "object", "properties": { "name": { "type": "string" } } }
                            } } }
                        },
                        "400": error_response("a bad or unknown query parameter"),
                        "403": error_response("a token limited to another project (private server)"),
                        "404": error_response("no such project")
                    }
                }
            },
            "/api/v1/series": {
                "get": {
                    "summary": "One benchmark's history of one measure, oldest first (as `benchgate history --json`)",
                    "parameters": series_parameters(),
                    "responses": {
                        "200": {
                            "description": "the series",
                            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Series" } } }
                        },
                        "400": error_response("a missing, bad or unknown query parameter"),
                        "403": error_response("a token limited to another project (private server)"),
                        "404": error_response("no such project, or no stored run of it has this benchmark and measure")
                    }
                }
            },
            "/api/v1/series.csv": {
                "get": {
                    "summary": "The same points as /api/v1/series, as CSV (as `benchgate export --format csv`)",
                    "parameters": series_parameters(),
                    "responses": {
                        "200": {
                            "description": "a header row benchmark,measure,run_id,started_at,commit,fingerprint,value,unit, then one row per point, oldest first",
                            "content": { "text/csv; charset=utf-8": { "schema": { "type": "string" } } }
                        },
                        "400": error_response("a missing, bad or unknown query parameter"),
                        "403": error_response("a token limited to another project (private server)"),
                        "404": error_response("no such project, or no stored run of it has this benchmark and measure")
                    }
                }
            },
            "/api/v1/openapi.json": {
                "get": {
                    "summary": "This document",
                    "responses": { "200": { "description": "the OpenAPI document", "content": { "application/json": {} } } }
                }
            }
        },
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http", "scheme": "bearer",
                    "description": "a token of `benchgate token create`; reads need one only on a server started with --private"
                }
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": { "type": "string" },
                        "parameter": { "type": "string" },
                        "path": { "type": "string" }
                    }
                },
                "RunSummary": {
                    "type": "object",
                    "properties": {
                        "id": { "type": "string", "format": "uuid" },
                        "project": { "type": "string" },
                        "started_at": { "type": "string", "format": "date-time" },
                        "source": { "type": "string" },
                        "mode": { "type": "string" },
                        "commit": { "type": "string", "nullable": true },
                        "branch": { "type": "string", "nullable": true },
                        "fingerprint": { "type": "string" },
                        "benchmarks": { "type": "integer" }
                    }
                },
                "Project": {
                    "type": "object",
                    "properties": {
                        "name": { "type": "string" },
                        "runs": { "type": "integer" },
                        "newest_run_at": { "type": "string", "format": "date-time", "nullable": true }
                    }
                },
                "Branch": {
                    "type": "object",
                    "properties": {
                        "name": { "type": "string", "nullable": true },
                        "runs": { "type": "integer" },
                        "newest_run_id": { "type": "string", "format": "uuid" },
                        "newest_run_at": { "type": "string", "format": "date-time" },
                        "newest_commit": { "type": "string", "nullable": true }
                    }
                },
                "Comparison": {
                    "type": "object",
                    "description": "the verdict document of `benchgate compare --format json`: schema, baseline and current runs, thresholds, verdicts (benchmark, measure, verdict, change and its interval, reasons), geomean, outcome, warnings",
                    "properties": {
                        "schema": { "type": "string" },
                        "verdicts": { "type": "array", "items": { "type": "object" } },
                        "outcome": { "type": "string" }
                    }
                },
                "RunVerdicts": {
                    "type": "object",
                    "properties": {
                        "schema": { "type": "string" },
                        "run_id": { "type": "string", "format": "uuid" },
                        "project": { "type": "string" },
                        "baseline_rule": { "type": "string" },
                        "baseline": { "allOf": [{ "$ref": "#/components/schemas/RunSummary" }], "nullable": true },
                        "comparison": { "allOf": [{ "$ref": "#/components/schemas/Comparison" }], "nullable": true },
                        "note": { "type": "string", "description": "why there is no baseline, when there is none" }
                    }
                },
                "Series": {
                    "type": "object",
                    "properties": {
                        "schema": { "type": "string" },
                        "project": { "type": "string" },
                        "benchmark": { "type": "string" },
                        "measure": { "type": "string" },
                        "fingerprint": { "type": "string", "nullable": true },
                        "points": { "type": "array", "items": {
                            "type": "object",
                            "properties": {
                                "run_id": { "type": "string", "format": "uuid" },
                                "started_at": { "type": "string", "format": "date-time" },
                                "commit": { "type": "string", "nullable": true },
                                "fingerprint": { "type": "string" },
                                "median": { "type": "number" }
                            }
                        } },
                        "change_points": { "type": "array", "items": {
                            "type": "object",
                            "properties": {
                                "index": { "type": "integer" },
                                "run_id": { "type": "string", "format": "uuid" },
                                "before_median": { "type": "number" },
                                "after_median": { "type": "number" },
                                "relative_shift": { "type": "number" }
                            }
                        } }
                    }
                }
            }
        }
    })
}
