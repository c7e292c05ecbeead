//! A subset of the Smithy selector language, enough to check where traits may
//! be applied: every selector of the prelude and of the wasmCloud model traits.
//!
//! Supported: shape type steps (`*`, `blob` ... `document`, `number`,
//! `simpleType`, `collection`, `member`, aggregate and service kinds),
//! attribute steps (`[trait|name]`, `[trait|name=value]`, `[id=...]`,
//! `[id|namespace=...]`, `[id|name=...]`, `[id|member=...]`, comparators
//! `= != ^= $= *=` and the `i` flag), functions `:is`, `:not`, `:test`,
//! neighbor steps `>`, `~>` and `-[rel, ...]->`. A top-level comma
//! (`"long,integer"`) is accepted as an alternation because published wasmCloud
//! models use it, although the Smithy grammar only allows it inside `:is`.
//!
//! Anything else (variables, `:in`, `:root`, `:recursive`, scoped attributes,
//! reverse neighbors) parses to [`SelectorError::Unsupported`], so callers can
//! tell a selector they cannot check from one that is malformed.
//!
//! Evaluation follows the spec: a selector maps the set of every shape and
//! member of the model to a result set; a trait may be applied to exactly the
//! shapes in the result.

use crate::model::{Member, Model, Node, Shape, ShapeId, ShapeKind, SimpleKind};
use indexmap::IndexSet;
use std::collections::{HashMap, HashSet};
use std::fmt;

/// Why a selector could not be compiled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SelectorError {
    /// Not valid selector syntax (byte offset into the selector text).
    Syntax {
        /// Where parsing stopped.
        offset: usize,
        /// What was expected.
        message: String,
    },
    /// Valid syntax this subset does not evaluate.
    Unsupported(String),
}

impl fmt::Display for SelectorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SelectorError::Syntax { offset, message } => {
                write!(f, "invalid selector at offset {offset}: {message}")
            }
            SelectorError::Unsupported(what) => write!(f, "unsupported selector feature: {what}"),
        }
    }
}

impl std::error::Error for SelectorError {}

/// Shape type names usable as selector steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TypeSel {
    Any,
    Simple(SimpleKind),
    Number,
    SimpleType,
    Collection,
    List,
    Set,
    Map,
    Structure,
    Union,
    Enum,
    IntEnum,
    Service,
    Operation,
    Resource,
    Member,
}

/// Attribute comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cmp {
    Eq,
    Ne,
    Prefix,
    Suffix,
    Contains,
}

/// What an attribute step looks at.
#[derive(Clone, Debug, PartialEq)]
enum AttrPath {
    /// `id`
    Id,
    /// `id|namespace`
    IdNamespace,
    /// `id|name`
    IdName,
    /// `id|member`
    IdMember,
    /// `trait|shape-id` followed by object keys.
    Trait(ShapeId, Vec<String>),
}

#[derive(Clone, Debug, PartialEq)]
struct Attr {
    path: AttrPath,
    /// `None` = existence test.
    cmp: Option<(Cmp, Vec<String>, bool)>,
}

/// One step of a selector expression.
#[derive(Clone, Debug, PartialEq)]
enum Step {
    Type(TypeSel),
    Attr(Attr),
    Is(Vec<Vec<Step>>),
    Not(Vec<Vec<Step>>),
    Test(Vec<Vec<Step>>),
    /// `>`: every forward relationship.
    Forward,
    /// `~>`: transitive closure of `>`.
    Recursive,
    /// `-[a, b]->`: forward relationships with these names.
    Directed(Vec<String>),
}

/// A compiled selector.
#[derive(Clone, Debug, PartialEq)]
pub struct Selector {
    /// Alternatives (more than one only for a top-level comma).
    alternatives: Vec<Vec<Step>>,
    /// True if a top-level comma was used (not standard Smithy).
    legacy_comma: bool,
}

impl Selector {
    /// Compiles selector text.
    pub fn parse(text: &str) -> Result<Selector, SelectorError> {
        let mut p = Parser {
            s: text.as_bytes(),
            pos: 0,
            text,
        };
        let alternatives = p.selector_list()?;
        p.skip_ws();
        if p.pos < p.s.len() {
            return Err(p.err("unexpected text after the selector"));
        }
        Ok(Selector {
            legacy_comma: alternatives.len() > 1,
            alternatives,
        })
    }

    /// True if the selector is `*` (matches everything).
    pub fn is_match_all(&self) -> bool {
        self.alternatives.len() == 1 && self.alternatives[0] == [Step::Type(TypeSel::Any)]
    }

    /// True if the selector used a top-level comma (a wasmCloud 1.0 habit).
    pub fn uses_legacy_comma(&self) -> bool {
        self.legacy_comma
    }

    /// Every shape and member id of `model` that the selector returns
    /// (convenience over [`Graph`] for one-off queries).
    pub fn select(&self, model: &Model) -> IndexSet<ShapeId> {
        let graph = Graph::new(model);
        self.select_in(&graph)
            .into_iter()
            .map(|n| graph.id_of(n))
            .collect()
    }

    /// The nodes of `graph` the selector returns, sorted.
    pub fn select_in(&self, graph: &Graph<'_>) -> Vec<u32> {
        let start: Vec<u32> = (0..graph.nodes.len() as u32).collect();
        self.select_from(graph, &start)
    }

    /// Like [`select_in`](Self::select_in), evaluated from `start` only.
    /// Relationships never leave the prelude, so results for user shapes
    /// can be computed from [`Graph::user_nodes`] alone.
    pub fn select_from(&self, graph: &Graph<'_>, start: &[u32]) -> Vec<u32> {
        let mut out = Vec::new();
        for alt in &self.alternatives {
            out.extend(eval(graph, alt, start.to_vec()));
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Decides cheaply whether node `n` is in the result of the selector
    /// evaluated from every node (or every user node, when `n` is one),
    /// without evaluating the whole selector: pure filters are tested on `n`
    /// alone and `A > B` (filters on both sides) on a member and its
    /// container. `None` when the selector has another shape (e.g. `-[input]->`),
    /// in which case the caller evaluates it with [`select_from`](Self::select_from).
    pub fn matches_node(&self, graph: &Graph<'_>, n: u32) -> Option<bool> {
        let mut undecided = false;
        for alt in &self.alternatives {
            match steps_match(graph, alt, n) {
                Some(true) => return Some(true),
                Some(false) => {}
                None => undecided = true,
            }
        }
        if undecided {
            None
        } else {
            Some(false)
        }
    }

    /// True if `id` (a shape or member id) is in the result of the selector.
    pub fn matches(&self, model: &Model, id: &ShapeId) -> bool {
        let graph = Graph::new(model);
        graph
            .node_of(id)
            .is_some_and(|n| self.select_in(&graph).binary_search(&n).is_ok())
    }
}

/// One node of a [`Graph`]: a shape, or a member of one.
#[derive(Clone, Copy)]
struct GraphNode<'m> {
    shape: &'m Shape,
    member: Option<&'m Member>,
}

/// The shapes and members of a model as numbered nodes with their forward
/// relationships. Built once per validation and shared by every selector, so
/// evaluation works on integers instead of cloning shape ids.
pub struct Graph<'m> {
    nodes: Vec<GraphNode<'m>>,
    /// Node of each shape (members follow their shape contiguously).
    shape_nodes: HashMap<&'m ShapeId, u32, super::FastHash>,
    /// Nodes outside the prelude.
    user: Vec<u32>,
    /// Outgoing edges of node `n`: `edges[edge_start[n]..edge_start[n + 1]]`
    /// (one flat list rather than a `Vec` per node: one allocation, not tens
    /// of thousands).
    edges: Vec<(Option<&'static str>, u32)>,
    edge_start: Vec<u32>,
}

impl<'m> Graph<'m> {
    /// Numbers every shape and member of `model`.
    pub fn new(model: &'m Model) -> Self {
        let mut nodes = Vec::new();
        let mut shape_nodes =
            HashMap::with_capacity_and_hasher(model.shapes.len(), super::FastHash::default());
        for shape in model.shapes.values() {
            shape_nodes.insert(&shape.id, nodes.len() as u32);
            nodes.push(GraphNode {
                shape,
                member: None,
            });
            for m in &shape.members {
                nodes.push(GraphNode {
                    shape,
                    member: Some(m),
                });
            }
        }
        let user = (0..nodes.len() as u32)
            .filter(|&n| !nodes[n as usize].shape.id.is_prelude())
            .collect();
        let mut graph = Graph {
            nodes,
            shape_nodes,
            user,
            edges: Vec::new(),
            edge_start: Vec::new(),
        };
        let unit = ShapeId::prelude("Unit");
        let mut out = Vec::with_capacity(graph.nodes.len() * 2);
        let mut edge_start = Vec::with_capacity(graph.nodes.len() + 1);
        for (i, n) in graph.nodes.iter().enumerate() {
            edge_start.push(out.len() as u32);
            for_each_neighbor(n.shape, n.member, &unit, |rel, t| match t {
                Target::OwnMember(m) => out.push((rel, (i + 1 + m) as u32)),
                Target::Shape(id) => {
                    if let Some(&t) = graph.shape_nodes.get(id) {
                        out.push((rel, t));
                    }
                }
            });
        }
        edge_start.push(out.len() as u32);
        graph.edges = out;
        graph.edge_start = edge_start;
        graph
    }

    /// The outgoing edges of node `n` (relationship name, target node).
    fn edges_of(&self, n: u32) -> &[(Option<&'static str>, u32)] {
        let n = n as usize;
        &self.edges[self.edge_start[n] as usize..self.edge_start[n + 1] as usize]
    }

    /// The node of a shape or member id.
    pub fn node_of(&self, id: &ShapeId) -> Option<u32> {
        match &id.member {
            None => self.shape_nodes.get(id).copied(),
            Some(name) => {
                let base = ShapeId {
                    member: None,
                    ..id.clone()
                };
                let s = *self.shape_nodes.get(&base)?;
                let shape = self.nodes[s as usize].shape;
                let pos = shape.members.iter().position(|m| &m.name == name)?;
                Some(s + 1 + pos as u32)
            }
        }
    }

    /// Every shape reachable from `root` by forward relationships (members
    /// are traversed, not returned), in model order, `root` excluded.
    pub fn closure(&self, root: &ShapeId) -> Vec<&'m Shape> {
        let mut out: Vec<u32> = Vec::new();
        let Some(start) = self.node_of(root) else {
            return Vec::new();
        };
        // A set sized by the closure, not a flag per node: a model with many
        // services computes one closure each, and per-node flags made that
        // services x nodes.
        // Sized for a typical service's closure up front, rather than
        // rehashed several times while it grows.
        let mut seen: HashSet<u32, super::FastHash> =
            HashSet::with_capacity_and_hasher(64.min(self.nodes.len()), Default::default());
        seen.insert(start);
        let mut stack = vec![start];
        while let Some(n) = stack.pop() {
            for &(_, t) in self.edges_of(n) {
                if seen.insert(t) {
                    stack.push(t);
                    if self.nodes[t as usize].member.is_none() {
                        out.push(t);
                    }
                }
            }
        }
        out.sort_unstable();
        out.into_iter()
            .map(|n| self.nodes[n as usize].shape)
            .collect()
    }

    /// Every node outside the `smithy.api` prelude.
    pub fn user_nodes(&self) -> &[u32] {
        &self.user
    }

    /// The node of the shape that contains member node `n` (`None` for shapes).
    pub fn container_of(&self, n: u32) -> Option<u32> {
        let node = self.nodes.get(n as usize)?;
        node.member?;
        self.shape_nodes.get(&node.shape.id).copied()
    }

    /// The id of a node.
    pub fn id_of(&self, n: u32) -> ShapeId {
        let node = self.nodes[n as usize];
        match node.member {
            Some(m) => node.shape.id.with_member(m.name.clone()),
            None => node.shape.id.clone(),
        }
    }
}

/// True if the steps produce at least one result starting from node `n`;
/// allocation-free except for `:is` with neighbor steps and `~>`.
fn any_from(g: &Graph<'_>, steps: &[Step], n: u32) -> bool {
    let Some((step, rest)) = steps.split_first() else {
        return true;
    };
    match step {
        Step::Type(t) => type_matches(g.nodes[n as usize], *t) && any_from(g, rest, n),
        Step::Attr(a) => attr_matches(g.nodes[n as usize], a) && any_from(g, rest, n),
        Step::Not(alts) => !alts.iter().any(|alt| any_from(g, alt, n)) && any_from(g, rest, n),
        Step::Test(alts) => alts.iter().any(|alt| any_from(g, alt, n)) && any_from(g, rest, n),
        Step::Is(alts) => alts.iter().any(|alt| {
            if is_filter(alt) {
                any_from(g, alt, n) && any_from(g, rest, n)
            } else {
                eval(g, alt, vec![n])
                    .into_iter()
                    .any(|m| any_from(g, rest, m))
            }
        }),
        Step::Forward => g.edges_of(n).iter().any(|&(_, t)| any_from(g, rest, t)),
        Step::Directed(rels) => g.edges_of(n).iter().any(|(rel, t)| {
            rel.is_some_and(|r| rels.iter().any(|x| x == r)) && any_from(g, rest, *t)
        }),
        Step::Recursive => eval(g, std::slice::from_ref(step), vec![n])
            .into_iter()
            .any(|m| any_from(g, rest, m)),
    }
}

/// See [`Selector::matches_node`].
fn steps_match(g: &Graph<'_>, steps: &[Step], n: u32) -> Option<bool> {
    if is_filter(steps) {
        return Some(any_from(g, steps, n));
    }
    if let [Step::Is(alts), rest @ ..] = steps {
        if is_filter(rest) {
            if !any_from(g, rest, n) {
                return Some(false);
            }
            let mut undecided = false;
            for alt in alts {
                match steps_match(g, alt, n) {
                    Some(true) => return Some(true),
                    Some(false) => {}
                    None => undecided = true,
                }
            }
            return if undecided { None } else { Some(false) };
        }
    }
    let pos = steps.iter().position(|s| matches!(s, Step::Forward))?;
    let (before, after) = (&steps[..pos], &steps[pos + 1..]);
    if !is_filter(before) || !is_filter(after) {
        return None;
    }
    // Only its container reaches a member through `>`.
    let container = g.container_of(n)?;
    Some(any_from(g, after, n) && any_from(g, before, container))
}

/// True if the steps only filter (never move to other nodes).
fn is_filter(steps: &[Step]) -> bool {
    steps.iter().all(|s| match s {
        Step::Type(_) | Step::Attr(_) | Step::Not(_) | Step::Test(_) => true,
        Step::Is(alts) => alts.iter().all(|a| is_filter(a)),
        _ => false,
    })
}

fn sort_dedup(mut v: Vec<u32>) -> Vec<u32> {
    v.sort_unstable();
    v.dedup();
    v
}

fn eval(g: &Graph<'_>, steps: &[Step], mut set: Vec<u32>) -> Vec<u32> {
    for step in steps {
        if set.is_empty() {
            break;
        }
        set = match step {
            Step::Type(t) => {
                set.retain(|&n| type_matches(g.nodes[n as usize], *t));
                set
            }
            Step::Attr(a) => {
                set.retain(|&n| attr_matches(g.nodes[n as usize], a));
                set
            }
            Step::Is(alts) if alts.iter().all(|a| is_filter(a)) => {
                set.retain(|&n| alts.iter().any(|alt| any_from(g, alt, n)));
                set
            }
            Step::Is(alts) => {
                let mut out = Vec::new();
                for &n in &set {
                    for alt in alts {
                        out.extend(eval(g, alt, vec![n]));
                    }
                }
                sort_dedup(out)
            }
            Step::Not(alts) => {
                set.retain(|&n| !alts.iter().any(|alt| any_from(g, alt, n)));
                set
            }
            Step::Test(alts) => {
                set.retain(|&n| alts.iter().any(|alt| any_from(g, alt, n)));
                set
            }
            Step::Forward => sort_dedup(
                set.iter()
                    .flat_map(|&n| g.edges_of(n).iter().map(|&(_, t)| t))
                    .collect(),
            ),
            Step::Directed(rels) => sort_dedup(
                set.iter()
                    .flat_map(|&n| g.edges_of(n).iter())
                    .filter(|(rel, _)| rel.is_some_and(|r| rels.iter().any(|x| x == r)))
                    .map(|&(_, t)| t)
                    .collect(),
            ),
            Step::Recursive => {
                let mut seen = vec![false; g.nodes.len()];
                let mut out = Vec::new();
                let mut stack = set;
                while let Some(n) = stack.pop() {
                    for &(_, t) in g.edges_of(n) {
                        if !seen[t as usize] {
                            seen[t as usize] = true;
                            out.push(t);
                            stack.push(t);
                        }
                    }
                }
                sort_dedup(out)
            }
        };
    }
    set
}

/// Where a relationship leads: a shape by id, or the `i`-th member of the
/// shape whose relationships are being listed.
#[derive(Clone, Copy)]
enum Target<'x> {
    Shape(&'x ShapeId),
    OwnMember(usize),
}

/// Calls `f` for every forward relationship of a shape (`member: None`) or
/// of one of its members, with the relationship's selector name (`None` for
/// member -> target, which only `>` follows). Operations without input or
/// output relate to `smithy.api#Unit`, as in Smithy.
fn for_each_neighbor<'x>(
    shape: &'x Shape,
    member: Option<&'x Member>,
    unit: &'x ShapeId,
    mut f: impl FnMut(Option<&'static str>, Target<'x>),
) {
    if let Some(m) = member {
        f(None, Target::Shape(&m.target));
        return;
    }
    for i in 0..shape.members.len() {
        f(Some("member"), Target::OwnMember(i));
    }
    let mut refs_id = |rel: &'static str, id: &'x ShapeId| f(Some(rel), Target::Shape(id));
    match &shape.kind {
        ShapeKind::Operation(op) => {
            let input = op.input.as_ref().map_or(unit, |r| &r.id);
            let output = op.output.as_ref().map_or(unit, |r| &r.id);
            refs_id("input", input);
            refs_id("output", output);
            for e in &op.errors {
                refs_id("error", &e.id);
            }
        }
        ShapeKind::Service(svc) => {
            svc.operations
                .iter()
                .for_each(|r| refs_id("operation", &r.id));
            svc.resources
                .iter()
                .for_each(|r| refs_id("resource", &r.id));
            svc.errors.iter().for_each(|r| refs_id("error", &r.id));
        }
        ShapeKind::Resource(res) => {
            res.identifiers
                .values()
                .for_each(|r| refs_id("identifier", &r.id));
            res.properties
                .values()
                .for_each(|r| refs_id("property", &r.id));
            let lifecycle = [
                ("create", &res.create),
                ("put", &res.put),
                ("read", &res.read),
                ("update", &res.update),
                ("delete", &res.delete),
                ("list", &res.list),
            ];
            for (name, r) in lifecycle {
                if let Some(r) = r {
                    refs_id(name, &r.id);
                }
            }
            res.operations
                .iter()
                .for_each(|r| refs_id("operation", &r.id));
            res.collection_operations
                .iter()
                .for_each(|r| refs_id("collectionOperation", &r.id));
            res.resources
                .iter()
                .for_each(|r| refs_id("resource", &r.id));
        }
        _ => {}
    }
    for m in &shape.mixins {
        f(Some("mixin"), Target::Shape(&m.id));
    }
}

fn type_matches(node: GraphNode<'_>, t: TypeSel) -> bool {
    if node.member.is_some() {
        return matches!(t, TypeSel::Any | TypeSel::Member);
    }
    let shape = node.shape;
    use SimpleKind as K;
    match (&shape.kind, t) {
        (_, TypeSel::Any) => true,
        (_, TypeSel::Member) => false,
        (ShapeKind::Simple(k), TypeSel::Simple(want)) => *k == want,
        // enum is a specialised string and intEnum a specialised integer.
        (ShapeKind::Enum, TypeSel::Simple(K::String)) => true,
        (ShapeKind::IntEnum, TypeSel::Simple(K::Integer)) => true,
        (ShapeKind::Simple(k), TypeSel::Number) => matches!(
            k,
            K::Byte
                | K::Short
                | K::Integer
                | K::Long
                | K::Float
                | K::Double
                | K::BigInteger
                | K::BigDecimal
        ),
        (ShapeKind::IntEnum, TypeSel::Number) => true,
        (ShapeKind::Simple(_) | ShapeKind::Enum | ShapeKind::IntEnum, TypeSel::SimpleType) => true,
        (ShapeKind::List | ShapeKind::Set, TypeSel::Collection | TypeSel::List) => true,
        (ShapeKind::Set, TypeSel::Set) => true,
        (ShapeKind::Map, TypeSel::Map) => true,
        (ShapeKind::Structure, TypeSel::Structure) => true,
        (ShapeKind::Union, TypeSel::Union) => true,
        (ShapeKind::Enum, TypeSel::Enum) => true,
        (ShapeKind::IntEnum, TypeSel::IntEnum) => true,
        (ShapeKind::Service(_), TypeSel::Service) => true,
        (ShapeKind::Operation(_), TypeSel::Operation) => true,
        (ShapeKind::Resource(_), TypeSel::Resource) => true,
        _ => false,
    }
}

/// The string form of a node used by attribute comparisons.
fn node_text(n: &Node) -> Option<String> {
    Some(match n {
        Node::String(s) => s.clone(),
        Node::Bool(b) => b.to_string(),
        Node::Number(num) => match num {
            crate::model::Number::Int(i) => i.to_string(),
            crate::model::Number::Float(f) => f.to_string(),
            crate::model::Number::BigInt(s) => s.clone(),
        },
        // Objects, arrays and null exist but have no comparable value.
        _ => return None,
    })
}

fn attr_matches(node: GraphNode<'_>, a: &Attr) -> bool {
    let id = &node.shape.id;
    let value: Option<String> = match &a.path {
        AttrPath::Id => Some(match node.member {
            Some(m) => format!("{id}${}", m.name),
            None => id.to_string(),
        }),
        AttrPath::IdNamespace => Some(id.namespace.clone()),
        AttrPath::IdName => Some(id.name.clone()),
        AttrPath::IdMember => node.member.map(|m| m.name.clone()),
        AttrPath::Trait(trait_id, keys) => {
            let traits = match node.member {
                Some(m) => &m.traits,
                None => &node.shape.traits,
            };
            let Some(tv) = traits.get(trait_id) else {
                return false;
            };
            let mut node = &tv.value;
            for k in keys {
                match node.get(k) {
                    Some(n) => node = n,
                    None => return false,
                }
            }
            match &a.cmp {
                None => return true,
                Some(_) => node_text(node),
            }
        }
    };
    let Some(value) = value else {
        return false;
    };
    let Some((cmp, wanted, ci)) = &a.cmp else {
        return true;
    };
    let fold = |s: &str| if *ci { s.to_lowercase() } else { s.to_string() };
    let v = fold(&value);
    let hit = |w: &String| {
        let w = fold(w);
        match cmp {
            Cmp::Eq | Cmp::Ne => v == w,
            Cmp::Prefix => v.starts_with(&w),
            Cmp::Suffix => v.ends_with(&w),
            Cmp::Contains => v.contains(&w),
        }
    };
    match cmp {
        Cmp::Ne => !wanted.iter().any(hit),
        _ => wanted.iter().any(hit),
    }
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
    text: &'a str,
}

impl Parser<'_> {
    fn err(&self, message: impl Into<String>) -> SelectorError {
        SelectorError::Syntax {
            offset: self.pos,
            message: message.into(),
        }
    }

    fn skip_ws(&mut self) {
        loop {
            while self.pos < self.s.len() && (self.s[self.pos] as char).is_ascii_whitespace() {
                self.pos += 1;
            }
            if self.s[self.pos..].starts_with(b"//") {
                while self.pos < self.s.len() && self.s[self.pos] != b'\n' {
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn eat(&mut self, lit: &str) -> bool {
        if self.s[self.pos..].starts_with(lit.as_bytes()) {
            self.pos += lit.len();
            true
        } else {
            false
        }
    }

    /// Comma-separated selectors, up to `)` or the end.
    fn selector_list(&mut self) -> Result<Vec<Vec<Step>>, SelectorError> {
        let mut out = vec![self.expression()?];
        loop {
            self.skip_ws();
            if self.peek() == Some(b',') {
                self.pos += 1;
                out.push(self.expression()?);
            } else {
                break;
            }
        }
        Ok(out)
    }

    fn expression(&mut self) -> Result<Vec<Step>, SelectorError> {
        let mut steps = Vec::new();
        loop {
            self.skip_ws();
            match self.peek() {
                None | Some(b',') | Some(b')') => break,
                _ => steps.push(self.step()?),
            }
        }
        if steps.is_empty() {
            return Err(self.err("expected a selector"));
        }
        Ok(steps)
    }

    fn ident(&mut self) -> &str {
        self.ident_with(b"_.#$")
    }

    /// An identifier made of ASCII alphanumerics and `extra`.
    fn ident_with(&mut self, extra: &[u8]) -> &str {
        let start = self.pos;
        while self.pos < self.s.len() {
            let c = self.s[self.pos];
            if c.is_ascii_alphanumeric() || extra.contains(&c) {
                self.pos += 1;
            } else {
                break;
            }
        }
        &self.text[start..self.pos]
    }

    fn step(&mut self) -> Result<Step, SelectorError> {
        let c = self.peek().unwrap_or(0);
        match c {
            b'*' => {
                self.pos += 1;
                Ok(Step::Type(TypeSel::Any))
            }
            b'>' => {
                self.pos += 1;
                Ok(Step::Forward)
            }
            b'~' => {
                if self.eat("~>") {
                    Ok(Step::Recursive)
                } else {
                    Err(self.err("expected `~>`"))
                }
            }
            b'<' => Err(SelectorError::Unsupported("reverse neighbor `<`".into())),
            b'-' => {
                if !self.eat("-[") {
                    return Err(self.err("expected `-[`"));
                }
                let mut rels = Vec::new();
                loop {
                    self.skip_ws();
                    let name = self.ident().to_string();
                    if name.is_empty() {
                        return Err(self.err("expected a relationship name"));
                    }
                    rels.push(name);
                    self.skip_ws();
                    if self.eat(",") {
                        continue;
                    }
                    if self.eat("]->") {
                        break;
                    }
                    return Err(self.err("expected `,` or `]->`"));
                }
                Ok(Step::Directed(rels))
            }
            b'[' => self.attr(),
            b':' => {
                self.pos += 1;
                let name = self.ident().to_string();
                self.skip_ws();
                if !self.eat("(") {
                    return Err(self.err(format!("expected `(` after `:{name}`")));
                }
                match name.as_str() {
                    "is" | "not" | "test" => {}
                    "" => return Err(self.err("expected a function name after `:`")),
                    other => {
                        return Err(SelectorError::Unsupported(format!("function `:{other}`")))
                    }
                }
                let args = self.selector_list()?;
                self.skip_ws();
                if !self.eat(")") {
                    return Err(self.err("expected `)`"));
                }
                Ok(match name.as_str() {
                    "is" => Step::Is(args),
                    "not" => Step::Not(args),
                    _ => Step::Test(args),
                })
            }
            b'$' => Err(SelectorError::Unsupported("selector variables".into())),
            c if c.is_ascii_alphabetic() => {
                let start = self.pos;
                let word = self.ident().to_string();
                let t = match word.as_str() {
                    "number" => TypeSel::Number,
                    "simpleType" => TypeSel::SimpleType,
                    "collection" => TypeSel::Collection,
                    "list" => TypeSel::List,
                    "set" => TypeSel::Set,
                    "map" => TypeSel::Map,
                    "structure" => TypeSel::Structure,
                    "union" => TypeSel::Union,
                    "enum" => TypeSel::Enum,
                    "intEnum" => TypeSel::IntEnum,
                    "service" => TypeSel::Service,
                    "operation" => TypeSel::Operation,
                    "resource" => TypeSel::Resource,
                    "member" => TypeSel::Member,
                    w => match SimpleKind::from_keyword(w) {
                        Some(k) => TypeSel::Simple(k),
                        None => {
                            self.pos = start;
                            return Err(self.err(format!("unknown shape type `{w}`")));
                        }
                    },
                };
                Ok(Step::Type(t))
            }
            _ => Err(self.err(format!("unexpected `{}`", c as char))),
        }
    }

    fn attr(&mut self) -> Result<Step, SelectorError> {
        self.pos += 1; // '['
        self.skip_ws();
        if self.peek() == Some(b'@') {
            return Err(SelectorError::Unsupported(
                "scoped attribute selectors".into(),
            ));
        }
        // `$` is not part of attribute paths: `[id|name$=x]` is a suffix match.
        let root = self.ident_with(b"_.#").to_string();
        let mut segments = Vec::new();
        while self.eat("|") {
            if self.peek() == Some(b'(') {
                return Err(SelectorError::Unsupported(
                    "attribute pseudo-properties".into(),
                ));
            }
            let seg = self.ident_with(b"_.#").to_string();
            if seg.is_empty() {
                return Err(self.err("expected a path segment after `|`"));
            }
            segments.push(seg);
        }
        let path = match (root.as_str(), segments.as_slice()) {
            ("id", []) => AttrPath::Id,
            ("id", [s]) if s == "namespace" => AttrPath::IdNamespace,
            ("id", [s]) if s == "name" => AttrPath::IdName,
            ("id", [s]) if s == "member" => AttrPath::IdMember,
            ("trait", [first, rest @ ..]) => {
                let id = if first.contains('#') {
                    ShapeId::parse(first).ok_or_else(|| self.err("invalid trait shape id"))?
                } else {
                    ShapeId::prelude(first)
                };
                AttrPath::Trait(id, rest.to_vec())
            }
            ("trait", []) => return Err(self.err("expected `trait|<shape id>`")),
            ("", _) => return Err(self.err("expected an attribute name")),
            (other, _) => return Err(SelectorError::Unsupported(format!("attribute `{other}`"))),
        };
        self.skip_ws();
        let cmp = if self.eat("]") {
            return Ok(Step::Attr(Attr { path, cmp: None }));
        } else if self.eat("!=") {
            Cmp::Ne
        } else if self.eat("^=") {
            Cmp::Prefix
        } else if self.eat("$=") {
            Cmp::Suffix
        } else if self.eat("*=") {
            Cmp::Contains
        } else if self.eat("=") {
            Cmp::Eq
        } else if self.eat("?=")
            || self.eat(">=")
            || self.eat("<=")
            || self.eat(">")
            || self.eat("<")
        {
            return Err(SelectorError::Unsupported(
                "numeric or `?=` attribute comparisons".into(),
            ));
        } else {
            return Err(self.err("expected `]` or a comparator"));
        };
        let mut values = Vec::new();
        loop {
            self.skip_ws();
            let v = match self.peek() {
                Some(q @ (b'"' | b'\'')) => {
                    self.pos += 1;
                    let start = self.pos;
                    while self.pos < self.s.len() && self.s[self.pos] != q {
                        self.pos += 1;
                    }
                    if self.pos >= self.s.len() {
                        return Err(self.err("unterminated string"));
                    }
                    let v = self.text[start..self.pos].to_string();
                    self.pos += 1;
                    v
                }
                _ => {
                    let start = self.pos;
                    while self.pos < self.s.len() {
                        let c = self.s[self.pos];
                        if c.is_ascii_alphanumeric()
                            || matches!(c, b'_' | b'.' | b'#' | b'$' | b'-' | b'+')
                        {
                            self.pos += 1;
                        } else {
                            break;
                        }
                    }
                    if start == self.pos {
                        return Err(self.err("expected an attribute value"));
                    }
                    self.text[start..self.pos].to_string()
                }
            };
            values.push(v);
            self.skip_ws();
            if !self.eat(",") {
                break;
            }
        }
        self.skip_ws();
        let ci = if self.peek() == Some(b'i') {
            self.pos += 1;
            self.skip_ws();
            true
        } else {
            false
        };
        if !self.eat("]") {
            return Err(self.err("expected `]`"));
        }
        Ok(Step::Attr(Attr {
            path,
            cmp: Some((cmp, values, ci)),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::smithy::load_sources;

    const MODEL: &str = r#"$version: "2"
namespace ex

@trait
structure marker {}

service Svc {
    version: "1"
    operations: [Op]
    resources: [Res]
}

@readonly
operation Op {
    input: OpInput
    output: OpOutput
    errors: [Oops]
}

@input
structure OpInput {
    @required
    name: String
    tags: Tags
    counts: Counts
}

@output
structure OpOutput {
    @marker
    when: Timestamp
    level: Level
}

@error("client")
structure Oops {}

list Tags {
    member: String
}

map Counts {
    key: String
    value: Integer
}

enum Color {
    RED
}

intEnum Level {
    LOW = 1
}

union Choice {
    a: Unit
    b: Floaty
}

float Floaty

resource Res {
    identifiers: { id: String }
    put: PutRes
}

@idempotent
operation PutRes {
    input := {
        @required
        id: String
    }
}
"#;

    fn model() -> Model {
        let res = load_sources(vec![("ex.smithy".into(), MODEL.into())]);
        let errors: Vec<_> = res.diagnostics.iter().filter(|d| d.is_error()).collect();
        assert!(errors.is_empty(), "fixture has errors: {errors:?}");
        res.model
    }

    /// The selector's result restricted to namespace `ex`, as `Name` or `Name$member`.
    fn sel(model: &Model, text: &str) -> Vec<String> {
        let s = Selector::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        let mut out: Vec<String> = s
            .select(model)
            .into_iter()
            .filter(|id| id.namespace == "ex")
            .map(|id| match &id.member {
                Some(m) => format!("{}${m}", id.name),
                None => id.name.clone(),
            })
            .collect();
        out.sort();
        out
    }

    #[test]
    fn shape_type_steps() {
        let m = model();
        assert_eq!(sel(&m, "operation"), ["Op", "PutRes"]);
        assert_eq!(sel(&m, "string"), ["Color"], "enum is a string");
        assert_eq!(sel(&m, "integer"), ["Level"], "intEnum is an integer");
        assert_eq!(sel(&m, "number"), ["Floaty", "Level"]);
        assert_eq!(sel(&m, "collection"), ["Tags"]);
        assert_eq!(sel(&m, "simpleType"), ["Color", "Floaty", "Level"]);
        assert_eq!(sel(&m, "union > member"), ["Choice$a", "Choice$b"]);
        assert!(sel(&m, "*").len() > 20);
    }

    #[test]
    fn attributes() {
        let m = model();
        assert_eq!(sel(&m, "[trait|error]"), ["Oops"]);
        assert_eq!(sel(&m, "[trait|error=client]"), ["Oops"]);
        assert_eq!(sel(&m, "[trait|error='server']"), Vec::<String>::new());
        assert_eq!(sel(&m, "[trait|error=CLIENT i]"), ["Oops"]);
        assert_eq!(sel(&m, "[trait|ex#marker]"), ["OpOutput$when"]);
        assert_eq!(sel(&m, "[id=ex#Oops]"), ["Oops"]);
        assert_eq!(sel(&m, "map > member[id|member=value]"), ["Counts$value"]);
        assert_eq!(sel(&m, "structure[id|name^=Op]"), ["OpInput", "OpOutput"]);
        assert_eq!(sel(&m, "structure[id|name$=Output]"), ["OpOutput"]);
        assert_eq!(sel(&m, "member[id|member*=ount]"), ["OpInput$counts"]);
        assert_eq!(sel(&m, "operation[id|name!=Op]"), ["PutRes"]);
        assert_eq!(
            sel(&m, "[id|namespace=smithy.api][id|name=Unit]").len(),
            0,
            "prelude filtered out by helper"
        );
    }

    #[test]
    fn neighbors_and_functions() {
        let m = model();
        assert_eq!(
            sel(&m, "operation -[input]-> structure > member"),
            [
                "OpInput$counts",
                "OpInput$name",
                "OpInput$tags",
                "PutResInput$id"
            ]
        );
        assert_eq!(sel(&m, "operation -[error]->"), ["Oops"]);
        assert_eq!(sel(&m, "service -[operation]->"), ["Op"]);
        assert_eq!(sel(&m, "resource:test(-[put]->)"), ["Res"]);
        assert_eq!(
            sel(&m, "structure > member :test(> string)"),
            ["OpInput$name", "PutResInput$id"]
        );
        assert_eq!(
            sel(&m, "structure > member :test(> :is(list, map))"),
            ["OpInput$counts", "OpInput$tags"]
        );
        assert_eq!(
            sel(
                &m,
                "structure > member[trait|required] :test(> :test(string, number))"
            ),
            ["OpInput$name", "PutResInput$id"]
        );
        assert_eq!(sel(&m, "operation :not([trait|readonly])"), ["PutRes"]);
        assert_eq!(sel(&m, ":is(enum, intEnum)"), ["Color", "Level"]);
        assert_eq!(
            sel(
                &m,
                ":is(structure, union) > member :test(> :is(simpleType))"
            ),
            [
                "Choice$b",
                "OpInput$name",
                "OpOutput$level",
                "OpOutput$when",
                "PutResInput$id"
            ]
        );
        // `~>` follows relationships transitively: everything reachable from the service.
        let reach = sel(&m, "service ~> structure");
        assert_eq!(reach, ["Oops", "OpInput", "OpOutput", "PutResInput"]);
        assert_eq!(
            sel(&m, "list :not(> member ~> :is(float, double, document))"),
            ["Tags"]
        );
        assert_eq!(
            sel(&m, "union :not(> member ~> :is(float, double, document))"),
            Vec::<String>::new()
        );
        // Newlines and comments inside selectors.
        assert_eq!(
            sel(
                &m,
                "structure // the container\n  > member\n  [trait|ex#marker]"
            ),
            ["OpOutput$when"]
        );
    }

    #[test]
    fn legacy_comma_and_match_all() {
        let m = model();
        let s = Selector::parse("long,integer, float").unwrap();
        assert!(s.uses_legacy_comma());
        assert!(!Selector::parse(":is(long, integer)")
            .unwrap()
            .uses_legacy_comma());
        assert!(Selector::parse(" * ").unwrap().is_match_all());
        assert_eq!(sel(&m, "long,integer, float"), ["Floaty", "Level"]);
    }

    #[test]
    fn errors_distinguish_syntax_from_unsupported() {
        for bad in [
            "",
            "structure >> [",
            "strukture",
            "[trait|]",
            ":is(string",
            "-[input>",
            "[id=",
            "[id=\"x]",
        ] {
            assert!(
                matches!(Selector::parse(bad), Err(SelectorError::Syntax { .. })),
                "{bad:?} should be a syntax error, got {:?}",
                Selector::parse(bad)
            );
        }
        for unsupported in [
            "service $ops(~> operation)",
            ":in(string)",
            "string <",
            "[@trait|range: @{min} > 1]",
            "[trait|range|(keys)]",
            "[service|version]",
            "integer[trait|range|min > 1]",
        ] {
            assert!(
                matches!(
                    Selector::parse(unsupported),
                    Err(SelectorError::Unsupported(_))
                ),
                "{unsupported:?} should be unsupported, got {:?}",
                Selector::parse(unsupported)
            );
        }
    }

    /// The shortcut of `matches_node` agrees with full evaluation for every
    /// prelude selector (and a few more) on every node of the fixture.
    #[test]
    fn matches_node_agrees_with_full_evaluation() {
        let m = model();
        let graph = Graph::new(&m);
        let mut selectors: Vec<String> = m
            .shapes
            .values()
            .filter_map(|s| s.trait_value(&ShapeId::prelude("trait")))
            .filter_map(|t| t.get("selector").and_then(Node::as_str).map(str::to_string))
            .collect();
        selectors.extend(
            [
                "structure > member",
                "> member",
                "operation -[input]-> structure > member",
                ":is(structure > member, union)",
                "long,integer, structure > member",
            ]
            .map(String::from),
        );
        let mut decided = 0;
        for text in &selectors {
            let sel = Selector::parse(text).unwrap();
            let full = sel.select_in(&graph);
            for n in 0..graph.nodes.len() as u32 {
                if let Some(quick) = sel.matches_node(&graph, n) {
                    decided += 1;
                    assert_eq!(
                        quick,
                        full.binary_search(&n).is_ok(),
                        "{text} on {}",
                        graph.id_of(n)
                    );
                }
            }
        }
        assert!(decided > 1000, "shortcut rarely applies ({decided})");
    }

    /// Every selector in the prelude compiles (none is reported W0203).
    #[test]
    fn every_prelude_selector_compiles() {
        let res = load_sources(Vec::new());
        let mut n = 0;
        for shape in res.model.shapes.values() {
            if let Some(t) = shape.trait_value(&ShapeId::prelude("trait")) {
                let text = t.get("selector").and_then(Node::as_str).unwrap_or("*");
                Selector::parse(text).unwrap_or_else(|e| panic!("{}: {text}: {e}", shape.id));
                n += 1;
            }
        }
        assert!(n > 60, "only {n} prelude traits");
    }
}
