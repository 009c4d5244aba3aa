//! `tacit-cli`: the edge's admin API from a terminal.
//!
//! ```text
//! cargo run -p tacit-cli -- site create acme --hostname acme.example --consent-mode opt-in
//! cargo run -p tacit-cli -- site show acme
//! cargo run -p tacit-cli -- site set acme k=10 retention_days=400 hostnames=a.example,b.example
//! cargo run -p tacit-cli -- site rotate-tokens acme
//! cargo run -p tacit-cli -- site status acme
//! cargo run -p tacit-cli -- site changes acme
//! cargo run -p tacit-cli -- site delete acme
//! ```
//!
//! The edge is `TACIT_EDGE` (default `http://127.0.0.1:8787`, what `make dev` serves); the admin
//! token is `TACIT_ADMIN_TOKEN`, else `ADMIN_TOKEN` in `.dev.vars` (what `make dev` writes). The
//! token is sent as a header only, never printed. Answers are printed as JSON; an error answer
//! prints its message and exits with status 1.

use std::process::ExitCode;

use serde_json::{Map, Value};

const USAGE: &str =
    "usage: tacit-cli site <create|show|set|delete|rotate-tokens|status|changes> <site> [...]
  create <site> [--hostname H]... [--consent-mode exempt|opt-in] [--k N] [--retention-days N]
                [--max-pages-per-day N] [--shards N] [--public true|false] [--epsilon X]
                [--search-param NAME]
  set <site> <setting>=<value>...     (hostnames=a.example,b.example and
                                       cors_origins=https://dash.example as lists; numbers and
                                       true/false as themselves; funnels as JSON:
                                       funnels='[{\"name\":\"Signup\",\"steps\":[\"/pricing\",\"goal:Signed up\"]}]')
environment: TACIT_EDGE (default http://127.0.0.1:8787), TACIT_ADMIN_TOKEN (or .dev.vars)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(answer) => {
            if !answer.is_null() {
                println!("{}", serde_json::to_string_pretty(&answer).expect("JSON prints"));
            }
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("tacit-cli: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<Value, String> {
    let [noun, verb, site, rest @ ..] = args else { return Err(USAGE.into()) };
    if noun != "site" {
        return Err(USAGE.into());
    }
    let edge = std::env::var("TACIT_EDGE").unwrap_or_else(|_| "http://127.0.0.1:8787".into());
    let edge = edge.trim_end_matches('/');
    let token = admin_token()?;
    let sites = format!("{edge}/api/v1/sites");
    match verb.as_str() {
        "create" => {
            let mut body = create_options(rest)?;
            body.insert("id".into(), Value::String(site.clone()));
            call("POST", &sites, &token, Some(Value::Object(body)))
        }
        "show" => call("GET", &format!("{sites}/{site}"), &token, None),
        "set" => call("PATCH", &format!("{sites}/{site}"), &token, Some(assignments(rest)?)),
        "delete" => call("DELETE", &format!("{sites}/{site}"), &token, None)
            .map(|_| serde_json::json!({ "deleted": site })),
        "rotate-tokens" => call("POST", &format!("{sites}/{site}/tokens/rotate"), &token, None),
        "status" => call("GET", &format!("{sites}/{site}/status"), &token, None),
        "changes" => call("GET", &format!("{sites}/{site}/changes"), &token, None),
        _ => Err(USAGE.into()),
    }
}

/// `--hostname a --hostname b --k 10` → `{"hostnames": ["a", "b"], "k": 10}`.
fn create_options(args: &[String]) -> Result<Map<String, Value>, String> {
    let mut body = Map::new();
    let mut hostnames = Vec::new();
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--hostname" => hostnames.push(Value::String(value.clone())),
            "--consent-mode" | "--search-param" => {
                body.insert(
                    flag.trim_start_matches("--").replace('-', "_"),
                    Value::String(value.clone()),
                );
            }
            "--k"
            | "--retention-days"
            | "--max-pages-per-day"
            | "--shards"
            | "--epsilon"
            | "--public" => {
                let scalar = json_scalar(value)
                    .ok_or_else(|| format!("{flag}: not a number or true/false"))?;
                body.insert(flag.trim_start_matches("--").replace('-', "_"), scalar);
            }
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
    }
    if !hostnames.is_empty() {
        body.insert("hostnames".into(), Value::Array(hostnames));
    }
    Ok(body)
}

/// `k=10 hostnames=a,b consent_mode=opt-in` → `{"k": 10, "hostnames": ["a", "b"], ...}`. The
/// list settings are comma-separated; an empty one (`cors_origins=`) is the empty list. The
/// funnels, a list of objects, are written as JSON.
fn assignments(args: &[String]) -> Result<Value, String> {
    if args.is_empty() {
        return Err(USAGE.into());
    }
    let mut body = Map::new();
    for arg in args {
        let (name, value) =
            arg.split_once('=').ok_or_else(|| format!("expected name=value: {arg}"))?;
        let value = if name == "funnels" {
            serde_json::from_str(value)
                .map_err(|e| format!("funnels must be JSON such as [{{\"name\": \"Signup\", \"steps\": [\"/pricing\", \"goal:Signed up\"]}}]: {e}"))?
        } else if LIST_SETTINGS.contains(&name) {
            Value::Array(
                value
                    .split(',')
                    .filter(|h| !h.is_empty())
                    .map(|h| Value::String(h.into()))
                    .collect(),
            )
        } else {
            json_scalar(value).unwrap_or_else(|| Value::String(value.into()))
        };
        body.insert(name.into(), value);
    }
    Ok(Value::Object(body))
}

/// The settings whose value is a list.
const LIST_SETTINGS: [&str; 2] = ["hostnames", "cors_origins"];

/// A number or a boolean written on the command line, as JSON; `None` for anything else.
fn json_scalar(text: &str) -> Option<Value> {
    serde_json::from_str(text).ok().filter(|value: &Value| value.is_number() || value.is_boolean())
}

fn admin_token() -> Result<String, String> {
    if let Ok(token) = std::env::var("TACIT_ADMIN_TOKEN") {
        return Ok(token);
    }
    let vars = std::fs::read_to_string(".dev.vars").unwrap_or_default();
    vars.lines()
        .filter_map(|line| line.trim().strip_prefix("ADMIN_TOKEN"))
        .filter_map(|rest| rest.trim_start().strip_prefix('='))
        .map(|value| value.trim().trim_matches(|c| c == '"' || c == '\'').to_owned())
        .next()
        .ok_or_else(|| {
            "no admin token: set TACIT_ADMIN_TOKEN (or run from a repo with .dev.vars)".into()
        })
}

fn call(method: &str, url: &str, token: &str, body: Option<Value>) -> Result<Value, String> {
    let request = ureq::request(method, url).set("Authorization", &format!("Bearer {token}"));
    let answer = match body {
        Some(body) => {
            request.set("Content-Type", "application/json").send_string(&body.to_string())
        }
        None => request.call(),
    };
    match answer {
        // No body to read (reading one that is not there fails in ureq).
        Ok(response) if response.status() == 204 => Ok(Value::Null),
        Ok(response) => {
            let text = response.into_string().map_err(|e| e.to_string())?;
            if text.is_empty() {
                Ok(Value::Null)
            } else {
                serde_json::from_str(&text).map_err(|e| format!("the edge answered non-JSON: {e}"))
            }
        }
        Err(ureq::Error::Status(status, response)) => {
            let text = response.into_string().unwrap_or_default();
            let message = serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|body| body.get("error")?.as_str().map(str::to_owned))
                .unwrap_or(text);
            Err(format!("{method} {} answered {status}: {message}", path_of(url)))
        }
        Err(error) => Err(format!("{method} {}: {error}", path_of(url))),
    }
}

/// The URL without scheme and host, for messages.
fn path_of(url: &str) -> &str {
    url.find("/api/").map_or(url, |at| &url[at..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|arg| (*arg).to_owned()).collect()
    }

    #[test]
    fn turns_create_options_into_settings() {
        let body = create_options(&strings(&[
            "--hostname",
            "a.example",
            "--hostname",
            "b.example",
            "--k",
            "10",
            "--consent-mode",
            "opt-in",
            "--retention-days",
            "30",
            "--public",
            "true",
            "--epsilon",
            "0.5",
            "--search-param",
            "q",
        ]))
        .unwrap();
        assert_eq!(
            Value::Object(body),
            serde_json::json!({
                "hostnames": ["a.example", "b.example"], "k": 10, "consent_mode": "opt-in",
                "retention_days": 30, "public": true, "epsilon": 0.5, "search_param": "q",
            })
        );
        assert!(create_options(&strings(&["--public", "yes"])).is_err());
        assert!(create_options(&strings(&["--k", "ten"])).is_err());
        assert!(create_options(&strings(&["--colour", "red"])).is_err());
    }

    #[test]
    fn turns_assignments_into_a_patch() {
        let patch =
            assignments(&strings(&["k=7", "hostnames=a.example,b.example", "consent_mode=exempt"]));
        assert_eq!(
            patch.unwrap(),
            serde_json::json!({ "k": 7, "hostnames": ["a.example", "b.example"], "consent_mode": "exempt" })
        );
        assert!(assignments(&strings(&["k"])).is_err());
        let funnels = r#"funnels=[{"name": "Signup", "steps": ["/pricing", "goal:Signed up"]}]"#;
        assert_eq!(
            assignments(&strings(&[funnels])).unwrap(),
            serde_json::json!({"funnels": [{"name": "Signup", "steps": ["/pricing", "goal:Signed up"]}]})
        );
        assert!(assignments(&strings(&["funnels=Signup"])).unwrap_err().contains("JSON"));
        let origins = assignments(&strings(&["cors_origins=https://a.example,http://b.example"]));
        assert_eq!(
            origins.unwrap(),
            serde_json::json!({ "cors_origins": ["https://a.example", "http://b.example"] })
        );
        let closed = assignments(&strings(&["cors_origins="]));
        assert_eq!(closed.unwrap(), serde_json::json!({ "cors_origins": [] }));
        let public = assignments(&strings(&["public=true", "epsilon=2.5", "consent_mode=opt-in"]));
        assert_eq!(
            public.unwrap(),
            serde_json::json!({ "public": true, "epsilon": 2.5, "consent_mode": "opt-in" })
        );
    }
}
