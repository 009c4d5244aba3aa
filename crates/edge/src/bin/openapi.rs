//! Prints the edge's OpenAPI document as YAML: `make openapi` writes it to docs/openapi.yaml.

fn main() {
    print!("{}", tacit_edge::openapi::yaml());
}
