//! The built-in templates, compiled by handlebars at build time
//! (`codegen/build.rs`) and rebuilt here from generated code, so a run of
//! `weld gen` does not parse them again (pest made that a third of a run).
//! The helpers below are what the generated code calls; they build exactly
//! the values handlebars builds (a unit test in `super` compares every
//! built-in template with `Template::compile_with_name`).
//!
//! Some helpers serve template features the built-in templates do not use
//! today (comments, literals, `../`, subexpressions); they stay so editing a
//! template never breaks the build.
#![allow(dead_code, unused_imports)]

use handlebars::template::{
    BlockParam, DecoratorTemplate, ExpressionSpec, ExpressionSpecBuilder, HelperTemplate,
    Parameter, Subexpression, Template, TemplateElement as E, TemplateMapping,
};
use handlebars::{Path, PathSeg};
use std::collections::HashMap;
use std::sync::OnceLock;

include!(concat!(env!("OUT_DIR"), "/prebuilt_templates.rs"));

/// Values whose types handlebars does not let other crates construct
/// (`TemplateMapping` is non-exhaustive; path rules are a private enum),
/// taken once from tiny compiles and cloned.
struct Seeds {
    mapping: TemplateMapping,
    root: PathSeg,
    up: PathSeg,
}

fn seeds() -> &'static Seeds {
    static SEEDS: OnceLock<Seeds> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let first_seg = |raw: &str| match Path::parse(raw) {
            Ok(Path::Relative((segs, _))) => segs.into_iter().next(),
            _ => None,
        };
        Seeds {
            mapping: Template::compile("x")
                .ok()
                .and_then(|t| t.mapping.into_iter().next())
                .expect("handlebars maps a one-character template"),
            root: first_seg("@root/x").expect("handlebars parses @root/x"),
            up: first_seg("../x").expect("handlebars parses ../x"),
        }
    })
}

fn tpl(name: Option<&str>, elements: Vec<E>, mapping: &[(usize, usize)]) -> Template {
    let mut t = Template::new();
    t.name = name.map(str::to_string);
    t.elements = elements;
    let seed = &seeds().mapping;
    t.mapping = mapping
        .iter()
        .map(|&(line, col)| {
            let mut m = seed.clone();
            m.0 = line;
            m.1 = col;
            m
        })
        .collect();
    t
}

fn raw(s: &str) -> E {
    E::RawString(s.to_string())
}

fn comment(s: &str) -> E {
    E::Comment(s.to_string())
}

fn map(hash: Vec<(&str, Parameter)>) -> HashMap<String, Parameter> {
    hash.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

fn spec(
    name: Parameter,
    params: Vec<Parameter>,
    hash: Vec<(&str, Parameter)>,
    block_param: Option<BlockParam>,
) -> ExpressionSpec {
    let mut b = ExpressionSpecBuilder::default();
    b.name(name)
        .params(params)
        .hash(map(hash))
        .omit_pre_ws(false)
        .omit_pro_ws(false);
    if let Some(bp) = block_param {
        b.block_param(bp);
    }
    b.build().expect("every field of ExpressionSpec is set")
}

#[allow(clippy::too_many_arguments)]
fn helper(
    kind: fn(Box<HelperTemplate>) -> E,
    name: Parameter,
    params: Vec<Parameter>,
    hash: Vec<(&str, Parameter)>,
    block_param: Option<BlockParam>,
    template: Option<Template>,
    inverse: Option<Template>,
    block: bool,
    chain: bool,
    indent_before_write: bool,
) -> E {
    let mut h = HelperTemplate::new(
        spec(name, params, hash, block_param),
        block,
        indent_before_write,
    );
    h.template = template;
    h.inverse = inverse;
    h.chain = chain;
    kind(Box::new(h))
}

fn decorator(
    kind: fn(Box<DecoratorTemplate>) -> E,
    name: Parameter,
    params: Vec<Parameter>,
    hash: Vec<(&str, Parameter)>,
    template: Option<Template>,
    indent: Option<&str>,
    indent_before_write: bool,
) -> E {
    let mut d = DecoratorTemplate::new(spec(name, params, hash, None), indent_before_write);
    d.template = template;
    d.indent = indent.map(str::to_string);
    kind(Box::new(d))
}

fn relative(segs: Vec<PathSeg>, raw: &str) -> Parameter {
    Parameter::Path(Path::Relative((segs, raw.to_string())))
}

fn local(level: usize, name: &str, raw: &str) -> Parameter {
    Parameter::Path(Path::Local((level, name.to_string(), raw.to_string())))
}

fn literal(json: &str) -> Parameter {
    Parameter::Literal(serde_json::from_str(json).expect("build.rs wrote valid JSON"))
}

fn ruled_root() -> PathSeg {
    seeds().root.clone()
}

fn ruled_up() -> PathSeg {
    seeds().up.clone()
}
