//! Merges fragments (prelude first, then user files in the given order) into
//! one [`Model`]: conflicting shape definitions, mixin flattening, target
//! elision, `apply` merging and metadata merging. Declaration order is kept
//! everywhere and nothing depends on hash order, so the output is
//! deterministic.
//!
//! Codes `E0100`..`E0119`.

use super::diagnostics::Diagnostic;
use super::resolve::{elided_placeholder, Elision, Resolved};
use super::source::Span;
use crate::model::{
    FxBuild, Member, Model, Node, Shape, ShapeId, ShapeKind, ShapeRef, TraitValue, Traits,
};
use indexmap::IndexMap;
use std::collections::{HashMap, HashSet};

/// Two different definitions of one shape id.
pub const E_SHAPE_CONFLICT: &str = "E0100";
/// Conflicting metadata values for one key.
pub const E_METADATA_CONFLICT: &str = "E0101";
/// Mixins form a cycle.
pub const E_MIXIN_CYCLE: &str = "E0102";
/// A mixin reference that is not a mixin shape (or does not exist).
pub const E_NOT_A_MIXIN: &str = "E0103";
/// A member conflicts with a member inherited from a mixin.
pub const E_MIXIN_MEMBER_CONFLICT: &str = "E0104";
/// An elided member whose target cannot be found.
pub const E_ELIDED_TARGET: &str = "E0105";
/// A mixin of a different shape type.
pub const E_MIXIN_KIND: &str = "E0106";
/// `apply` of a trait that is already present with a different value.
pub const E_APPLY_CONFLICT: &str = "E0110";
/// `apply` to a shape or member that does not exist.
pub const E_APPLY_TARGET: &str = "E0111";

fn strip_traits(t: &Traits) -> Vec<(&ShapeId, &Node)> {
    t.iter().map(|(k, v)| (k, &v.value)).collect()
}

/// Equality of two definitions ignoring where they were written.
fn same_definition(a: &Shape, b: &Shape) -> bool {
    fn refs(k: &ShapeKind) -> String {
        // Kind data carries spans inside ShapeRefs; compare their debug form
        // with spans blanked. Only used for duplicate definitions (rare).
        let mut k = k.clone();
        let blank = |r: &mut crate::model::ShapeRef| r.span = Span::default();
        match &mut k {
            ShapeKind::Service(s) => {
                s.operations.iter_mut().for_each(blank);
                s.resources.iter_mut().for_each(blank);
                s.errors.iter_mut().for_each(blank);
            }
            ShapeKind::Operation(o) => {
                o.input.iter_mut().for_each(blank);
                o.output.iter_mut().for_each(blank);
                o.errors.iter_mut().for_each(blank);
            }
            ShapeKind::Resource(r) => {
                r.identifiers.values_mut().for_each(blank);
                r.properties.values_mut().for_each(blank);
                for x in [
                    &mut r.create,
                    &mut r.put,
                    &mut r.read,
                    &mut r.update,
                    &mut r.delete,
                    &mut r.list,
                ] {
                    x.iter_mut().for_each(blank);
                }
                r.operations.iter_mut().for_each(blank);
                r.collection_operations.iter_mut().for_each(blank);
                r.resources.iter_mut().for_each(blank);
            }
            _ => {}
        }
        format!("{k:?}")
    }
    a.kind.keyword() == b.kind.keyword()
        && refs(&a.kind) == refs(&b.kind)
        && strip_traits(&a.traits) == strip_traits(&b.traits)
        && a.mixins
            .iter()
            .map(|m| &m.id)
            .eq(b.mixins.iter().map(|m| &m.id))
        && a.members.len() == b.members.len()
        && a.members.iter().zip(&b.members).all(|(x, y)| {
            x.name == y.name
                && x.target == y.target
                && strip_traits(&x.traits) == strip_traits(&y.traits)
        })
}

struct Assembler<'d> {
    shapes: IndexMap<ShapeId, Shape, crate::model::FxBuild>,
    diags: &'d mut Vec<Diagnostic>,
}

/// Builds the model from resolved fragments, in order (the prelude first).
pub fn assemble(parts: Vec<Resolved>, diags: &mut Vec<Diagnostic>) -> Model {
    let mut model = Model::default();
    let total: usize = parts.iter().map(|p| p.fragment.shapes.len()).sum();
    let mut a = Assembler {
        shapes: IndexMap::with_capacity_and_hasher(total, Default::default()),
        diags,
    };
    // FxBuild for every map here: their keys come from the model, and
    // SipHash (plus a random seed per map) cost more than the lookups.
    let mut meta_spans: HashMap<String, Span, FxBuild> = HashMap::default();
    let mut applies = Vec::new();
    let mut elisions: HashMap<ShapeId, Vec<Elision>, FxBuild> = HashMap::default();
    for part in parts {
        let f = part.fragment;
        if let Some(ns) = &f.namespace {
            model
                .namespace_versions
                .entry(ns.clone())
                .or_insert(f.version);
        }
        model.has_v1_sources |= f.version == crate::model::IdlVersion::V1;
        // A JSON AST document may hold several namespaces; each gets the
        // document's version.
        for s in &f.shapes {
            if f.namespace.as_ref() != Some(&s.id.namespace)
                && !model.namespace_versions.contains_key(&s.id.namespace)
            {
                model
                    .namespace_versions
                    .insert(s.id.namespace.clone(), f.version);
            }
        }
        for m in f.metadata {
            a.merge_metadata(&mut model.metadata, &mut meta_spans, m.key, m.value, m.span);
        }
        for s in f.shapes {
            match a.shapes.get(&s.id) {
                Some(prev) => {
                    if !same_definition(prev, &s) {
                        let prev_span = prev.span;
                        a.diags.push(
                            Diagnostic::error(
                                E_SHAPE_CONFLICT,
                                s.span,
                                format!("conflicting definitions of shape `{}`", s.id),
                            )
                            .with_label("second definition")
                            .with_secondary(prev_span, "first defined here"),
                        );
                    }
                }
                None => {
                    a.shapes.insert(s.id.clone(), s);
                }
            }
        }
        applies.extend(f.applies);
        for e in part.elisions {
            elisions.entry(e.shape.clone()).or_default().push(e);
        }
    }

    // Applies to shapes and to locally declared members first, so traits
    // applied to a mixin are inherited; applies to members that only exist
    // once mixins are flattened wait until then.
    let mut deferred = Vec::new();
    for ap in applies {
        if !a.apply(&ap, None) {
            deferred.push(ap);
        }
    }
    a.flatten(&elisions);
    // A deferred apply targets a member inherited from a mixin: its value
    // replaces the inherited value of that trait, as a local trait would
    // (Smithy's rule), while two applies of one trait still merge or
    // conflict. `replaced` remembers which inherited values are gone.
    let mut replaced: HashSet<(ShapeId, ShapeId), FxBuild> = HashSet::default();
    for ap in deferred {
        a.apply(&ap, Some(&mut replaced));
    }
    a.annotations_to_lists();
    model.shapes = a.shapes;
    model
}

impl Assembler<'_> {
    fn merge_metadata(
        &mut self,
        meta: &mut IndexMap<String, Node>,
        spans: &mut HashMap<String, Span, FxBuild>,
        key: String,
        value: Node,
        span: Span,
    ) {
        match meta.get_mut(&key) {
            None => {
                spans.insert(key.clone(), span);
                meta.insert(key, value);
            }
            Some(existing) => {
                if let (Node::Array(a), Node::Array(b)) = (&mut *existing, &value) {
                    a.extend(b.iter().cloned());
                } else if *existing != value {
                    let prev = spans.get(&key).copied().unwrap_or_default();
                    self.diags.push(
                        Diagnostic::error(
                            E_METADATA_CONFLICT,
                            span,
                            format!("conflicting values for metadata key `{key}`"),
                        )
                        .with_secondary(prev, "first value here")
                        .with_note(
                            "metadata arrays are concatenated; other values must be identical",
                        ),
                    );
                }
            }
        }
    }

    /// A bare annotation (`@tags`) reads as `{}`; when the trait's shape is
    /// a list or set its value is `[]` (Smithy's coercion). Only empty
    /// objects are looked at, so the pass costs little.
    fn annotations_to_lists(&mut self) {
        // List and set trait definitions are few (the prelude's `tags`
        // and the like): a short list to scan beats a map lookup per
        // annotation.
        let trait_id = ShapeId::prelude("trait");
        let list_traits: Vec<&ShapeId> = self
            .shapes
            .values()
            .filter(|s| {
                matches!(s.kind, ShapeKind::List | ShapeKind::Set)
                    && s.traits.contains_key(&trait_id)
            })
            .map(|s| &s.id)
            .collect();
        let is_list = |tid: &ShapeId| list_traits.iter().any(|l| l.name == tid.name && *l == tid);
        let is_empty_obj = |v: &Node| matches!(v, Node::Object(o) if o.is_empty());
        let mut lists: Vec<(usize, Option<usize>, ShapeId)> = Vec::new();
        for (i, shape) in self.shapes.values().enumerate() {
            for (tid, tv) in &shape.traits {
                if is_empty_obj(&tv.value) && is_list(tid) {
                    lists.push((i, None, tid.clone()));
                }
            }
            for (j, m) in shape.members.iter().enumerate() {
                for (tid, tv) in &m.traits {
                    if is_empty_obj(&tv.value) && is_list(tid) {
                        lists.push((i, Some(j), tid.clone()));
                    }
                }
            }
        }
        for (i, m, tid) in lists {
            let shape = &mut self.shapes[i];
            let traits = match m {
                None => &mut shape.traits,
                Some(j) => &mut shape.members[j].traits,
            };
            if let Some(tv) = traits.get_mut(&tid) {
                tv.value = Node::Array(Vec::new());
            }
        }
    }

    /// True if `id` names a list or set trait (apply concatenates those).
    fn is_list_trait(&self, id: &ShapeId) -> bool {
        self.shapes
            .get(id)
            .is_some_and(|s| matches!(s.kind, ShapeKind::List | ShapeKind::Set))
    }

    fn merge_trait(
        &mut self,
        traits: &mut Traits,
        id: &ShapeId,
        tv: &TraitValue,
        target: &ShapeId,
    ) {
        let list = self.is_list_trait(id);
        match traits.get_mut(id) {
            None => {
                traits.insert(id.clone(), tv.clone());
            }
            Some(existing) => {
                if existing.value == tv.value {
                    return;
                }
                // `{}` is a bare annotation; for a list trait it is `[]`.
                let empty = |v: &Node| matches!(v, Node::Object(o) if o.is_empty());
                if list && empty(&tv.value) {
                    return;
                }
                if list && empty(&existing.value) {
                    existing.value = Node::Array(Vec::new());
                }
                if let (true, Node::Array(a), Node::Array(b)) =
                    (list, &mut existing.value, &tv.value)
                {
                    a.extend(b.iter().cloned());
                    return;
                }
                let prev = existing.span;
                self.diags.push(
                    Diagnostic::error(
                        E_APPLY_CONFLICT,
                        tv.span,
                        format!("conflicting values of trait `{id}` on `{target}`"),
                    )
                    .with_secondary(prev, "first applied here")
                    .with_note("only list traits are merged; other values must be identical"),
                );
            }
        }
    }

    /// Applies one apply statement. In the first pass (`inherited` None),
    /// returns false (and does nothing) when the target member does not
    /// exist yet. In the final pass, a trait value inherited from a mixin
    /// is replaced the first time an apply sets that trait
    /// (`inherited` records which ones were).
    fn apply(
        &mut self,
        ap: &super::fragment::Apply,
        mut inherited: Option<&mut HashSet<(ShapeId, ShapeId), FxBuild>>,
    ) -> bool {
        let final_pass = inherited.is_some();
        let mut base = ap.target.clone();
        let member = base.member.take();
        let Some(idx) = self.shapes.get_index_of(&base) else {
            if final_pass || member.is_none() {
                self.diags.push(
                    Diagnostic::error(
                        E_APPLY_TARGET,
                        ap.span,
                        format!("cannot apply traits to `{}`: no such shape", ap.target),
                    )
                    .with_label("not found"),
                );
                return true;
            }
            return false;
        };
        let mut traits = match &member {
            None => std::mem::take(&mut self.shapes[idx].traits),
            Some(m) => match self.shapes[idx].members.iter_mut().find(|x| &x.name == m) {
                Some(mm) => std::mem::take(&mut mm.traits),
                None => {
                    if !final_pass {
                        return false;
                    }
                    self.diags.push(
                        Diagnostic::error(
                            E_APPLY_TARGET,
                            ap.span,
                            format!(
                                "cannot apply traits to `{}`: `{base}` has no member `{m}`",
                                ap.target
                            ),
                        )
                        .with_label("not found"),
                    );
                    return true;
                }
            },
        };
        for (id, tv) in &ap.traits {
            if let Some(seen) = inherited.as_deref_mut() {
                if traits.contains_key(id) && seen.insert((ap.target.clone(), id.clone())) {
                    traits.insert(id.clone(), tv.clone());
                    continue;
                }
                seen.insert((ap.target.clone(), id.clone()));
            }
            self.merge_trait(&mut traits, id, tv, &ap.target);
        }
        match &member {
            None => self.shapes[idx].traits = traits,
            Some(m) => {
                if let Some(mm) = self.shapes[idx].members.iter_mut().find(|x| &x.name == m) {
                    mm.traits = traits;
                }
            }
        }
        true
    }

    /// Flattens mixins (and fills elided targets) for every shape, mixins
    /// before their users, without recursion (mixin chains can be long).
    fn flatten(&mut self, elisions: &HashMap<ShapeId, Vec<Elision>, FxBuild>) {
        const NEW: u8 = 0;
        const VISITING: u8 = 1;
        const DONE: u8 = 2;
        let n = self.shapes.len();
        let mut state = vec![NEW; n];
        let mut stack: Vec<(usize, usize)> = Vec::new();
        for root in 0..n {
            if state[root] != NEW {
                continue;
            }
            if self.shapes[root].mixins.is_empty() && !elisions.contains_key(&self.shapes[root].id)
            {
                state[root] = DONE;
                continue;
            }
            state[root] = VISITING;
            stack.push((root, 0));
            while let Some(&mut (cur, ref mut next)) = stack.last_mut() {
                let mixins = &self.shapes[cur].mixins;
                if *next < mixins.len() {
                    let m = mixins[*next].clone();
                    *next += 1;
                    match self.shapes.get_index_of(&m.id) {
                        None => {}
                        Some(mi) => match state[mi] {
                            NEW => {
                                state[mi] = VISITING;
                                stack.push((mi, 0));
                            }
                            VISITING => {
                                let id = self.shapes[cur].id.clone();
                                self.diags.push(
                                    Diagnostic::error(E_MIXIN_CYCLE, m.span, format!("mixin cycle: `{id}` (indirectly) uses itself through `{}`", m.id))
                                        .with_label("cycle closes here"),
                                );
                            }
                            _ => {}
                        },
                    }
                } else {
                    stack.pop();
                    self.merge_mixins(cur, &state, elisions);
                    state[cur] = DONE;
                }
            }
        }
    }

    fn resource_target(&self, e: &Elision) -> Option<ShapeId> {
        let r = e.for_resource.as_ref()?;
        match &self.shapes.get(&r.id)?.kind {
            ShapeKind::Resource(res) => res
                .identifiers
                .get(&e.member)
                .or_else(|| res.properties.get(&e.member))
                .map(|t| t.id.clone()),
            _ => None,
        }
    }

    fn merge_mixins(
        &mut self,
        idx: usize,
        state: &[u8],
        elisions: &HashMap<ShapeId, Vec<Elision>, FxBuild>,
    ) {
        let placeholder = elided_placeholder();
        // Elided members bound to a resource take the resource's target.
        if let Some(list) = elisions.get(&self.shapes[idx].id) {
            for e in list {
                if let Some(t) = self.resource_target(e) {
                    if let Some(m) = self.shapes[idx]
                        .members
                        .iter_mut()
                        .find(|m| m.name == e.member)
                    {
                        if m.target == placeholder {
                            m.target = t;
                        }
                    }
                }
            }
        }
        let mixin_id = ShapeId::prelude("mixin");
        let shape = &self.shapes[idx];
        let mut inherited_members: Vec<Member> = Vec::new();
        let mut inherited_traits = Traits::default();
        let mut errors = Vec::new();
        let mut inherited_kinds: Vec<ShapeKind> = Vec::new();
        for mref in &shape.mixins {
            let Some(mi) = self.shapes.get_index_of(&mref.id) else {
                errors.push(
                    Diagnostic::error(
                        E_NOT_A_MIXIN,
                        mref.span,
                        format!("mixin `{}` does not exist", mref.id),
                    )
                    .with_label("no such shape"),
                );
                continue;
            };
            if state[mi] != 2 {
                continue; // part of a cycle, already reported
            }
            let mixin = &self.shapes[mi];
            let Some(mixin_trait) = mixin.traits.get(&mixin_id) else {
                errors.push(
                    Diagnostic::error(
                        E_NOT_A_MIXIN,
                        mref.span,
                        format!("`{}` is not a mixin (it has no `@mixin` trait)", mref.id),
                    )
                    .with_secondary(mixin.span, "defined here"),
                );
                continue;
            };
            if mixin.kind.keyword() != shape.kind.keyword() {
                errors.push(
                    Diagnostic::error(
                        E_MIXIN_KIND,
                        mref.span,
                        format!(
                            "a {} cannot use the {} mixin `{}`",
                            shape.kind.keyword(),
                            mixin.kind.keyword(),
                            mref.id
                        ),
                    )
                    .with_secondary(mixin.span, "mixin defined here"),
                );
                continue;
            }
            if matches!(
                mixin.kind,
                ShapeKind::Service(_) | ShapeKind::Operation(_) | ShapeKind::Resource(_)
            ) {
                inherited_kinds.push(mixin.kind.clone());
            }
            let local_traits: Vec<&str> = mixin_trait
                .value
                .get("localTraits")
                .and_then(Node::as_array)
                .map(|a| a.iter().filter_map(Node::as_str).collect())
                .unwrap_or_default();
            for (tid, tv) in &mixin.traits {
                if *tid == mixin_id || local_traits.iter().any(|l| *l == tid.to_string()) {
                    continue;
                }
                inherited_traits.insert(tid.clone(), tv.clone());
            }
            for mm in &mixin.members {
                if let Some(prev) = inherited_members.iter_mut().find(|x| x.name == mm.name) {
                    if prev.target == mm.target {
                        // The same member from several mixins: one member
                        // with the traits of all (later mixins win).
                        for (tid, tv) in &mm.traits {
                            prev.traits.insert(tid.clone(), tv.clone());
                        }
                    } else {
                        errors.push(
                            Diagnostic::error(
                                E_MIXIN_MEMBER_CONFLICT,
                                mref.span,
                                format!("mixins of `{}` define member `{}` with different targets (`{}` and `{}`)", shape.id, mm.name, prev.target, mm.target),
                            )
                            .with_secondary(prev.span, "first definition")
                            .with_secondary(mm.span, "second definition"),
                        );
                    }
                    continue;
                }
                inherited_members.push(mm.clone());
            }
        }
        let shape_span = shape.span;
        let shape_id = shape.id.clone();
        // Local members: redeclarations merge into the inherited member (in
        // the mixin's position); new members follow.
        let local = std::mem::take(&mut self.shapes[idx].members);
        let mut members = inherited_members;
        for lm in local {
            if let Some(im) = members.iter_mut().find(|m| m.name == lm.name) {
                if lm.target != placeholder && lm.target != im.target {
                    errors.push(
                        Diagnostic::error(
                            E_MIXIN_MEMBER_CONFLICT,
                            lm.target_span,
                            format!("member `{}` of `{shape_id}` targets `{}`, but its mixin declares it with target `{}`", lm.name, lm.target, im.target),
                        )
                        .with_secondary(im.span, "mixin member here")
                        .with_note("elide the target (`$name`) or repeat the mixin's target"),
                    );
                }
                for (tid, tv) in lm.traits {
                    im.traits.insert(tid, tv);
                }
                im.span = lm.span;
            } else {
                members.push(lm);
            }
        }
        for m in &members {
            if m.target == placeholder {
                errors.push(
                    Diagnostic::error(
                        E_ELIDED_TARGET,
                        m.span,
                        format!(
                            "cannot find the target of elided member `${}` of `{shape_id}`",
                            m.name
                        ),
                    )
                    .with_label("no resource identifier/property or mixin member of this name")
                    .with_secondary(shape_span, "in this shape"),
                );
            }
        }
        let s = &mut self.shapes[idx];
        s.members = members;
        if !inherited_kinds.is_empty() {
            // Entity properties: mixin values first (in mixin order), then
            // the shape's own; the shape's own scalars win.
            let mut acc = match &s.kind {
                ShapeKind::Service(_) => ShapeKind::Service(Default::default()),
                ShapeKind::Operation(_) => ShapeKind::Operation(Default::default()),
                _ => ShapeKind::Resource(Default::default()),
            };
            for k in &inherited_kinds {
                merge_kind(&mut acc, k);
            }
            merge_kind(&mut acc, &s.kind);
            s.kind = acc;
        }
        for (tid, tv) in inherited_traits {
            s.traits.entry(tid).or_insert(tv);
        }
        self.diags.extend(errors);
    }
}

fn append_refs(dst: &mut Vec<ShapeRef>, src: &[ShapeRef]) {
    for r in src {
        if !dst.iter().any(|d| d.id == r.id) {
            dst.push(r.clone());
        }
    }
}

fn set_opt<T: Clone>(dst: &mut Option<T>, src: &Option<T>) {
    if src.is_some() {
        dst.clone_from(src);
    }
}

/// Merges the properties of `src` into `acc` (same kind): lists append
/// without duplicates, maps and scalars take `src`'s values when present.
fn merge_kind(acc: &mut ShapeKind, src: &ShapeKind) {
    match (acc, src) {
        (ShapeKind::Service(a), ShapeKind::Service(b)) => {
            set_opt(&mut a.version, &b.version);
            append_refs(&mut a.operations, &b.operations);
            append_refs(&mut a.resources, &b.resources);
            append_refs(&mut a.errors, &b.errors);
            for (k, v) in &b.rename {
                a.rename.insert(k.clone(), v.clone());
            }
        }
        (ShapeKind::Operation(a), ShapeKind::Operation(b)) => {
            set_opt(&mut a.input, &b.input);
            set_opt(&mut a.output, &b.output);
            append_refs(&mut a.errors, &b.errors);
        }
        (ShapeKind::Resource(a), ShapeKind::Resource(b)) => {
            for (k, v) in &b.identifiers {
                a.identifiers.insert(k.clone(), v.clone());
            }
            for (k, v) in &b.properties {
                a.properties.insert(k.clone(), v.clone());
            }
            for (x, y) in [
                (&mut a.create, &b.create),
                (&mut a.put, &b.put),
                (&mut a.read, &b.read),
                (&mut a.update, &b.update),
                (&mut a.delete, &b.delete),
                (&mut a.list, &b.list),
            ] {
                set_opt(x, y);
            }
            append_refs(&mut a.operations, &b.operations);
            append_refs(&mut a.collection_operations, &b.collection_operations);
            append_refs(&mut a.resources, &b.resources);
        }
        _ => {}
    }
}
