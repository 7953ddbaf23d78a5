//! The schema language: a tree of typed nodes with the OpenAPI facts the API server enforces
//! (required, enum, bounds, lengths, item counts, `pattern`, the `date-time` format) and the two
//! CEL rule shapes that matter for the sim: `self == oldSelf` (immutability) and
//! `self.matches(re)` (patterns); each node may carry the description `kubectl explain` prints.

use serde_json::Value;

/// What a node holds.
#[derive(Debug)]
pub enum Ty {
    String,
    Integer,
    Boolean,
    /// An object with declared properties; anything else in it is an unknown field.
    Object(&'static [Prop]),
    /// `additionalProperties`: a map of string keys to values of one schema.
    Map(&'static Node),
    Array(&'static Node),
    /// An object the sim does not model further (`x-kubernetes-preserve-unknown-fields`): its
    /// type and required keys are checked, its contents are kept.
    Opaque,
}

/// A named property of an object node.
#[derive(Debug)]
pub struct Prop {
    pub name: &'static str,
    pub node: Node,
}

/// How an immutability rule compares: `self == oldSelf`, or `oldSelf == "" || self == oldSelf`
/// (settable once).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Immutable {
    Always,
    OnceSet,
}

#[derive(Debug)]
pub struct Node {
    pub ty: Ty,
    pub required: &'static [&'static str],
    pub enum_: &'static [&'static str],
    pub minimum: Option<i64>,
    pub maximum: Option<i64>,
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
    pub max_items: Option<usize>,
    pub max_properties: Option<usize>,
    /// An immutability rule and its message.
    pub immutable: Option<(Immutable, &'static str)>,
    /// A `self.matches(re)` rule: the regular expression and the rule's message. An empty
    /// string is allowed when the rule reads `self == "" || self.matches(...)`.
    pub matches: Option<(&'static str, &'static str, bool)>,
    /// An OpenAPI `pattern` (a regular expression the whole string must match).
    pub pattern: Option<&'static str>,
    /// An OpenAPI `format` the API server checks (`date-time`).
    pub format: Option<&'static str>,
    /// What the field is, for `/openapi` (what `kubectl explain` prints).
    pub description: Option<&'static str>,
}

impl Node {
    const fn of(ty: Ty) -> Node {
        Node {
            ty,
            required: &[],
            enum_: &[],
            minimum: None,
            maximum: None,
            min_length: None,
            max_length: None,
            max_items: None,
            max_properties: None,
            immutable: None,
            matches: None,
            pattern: None,
            format: None,
            description: None,
        }
    }
    pub const fn req(mut self, r: &'static [&'static str]) -> Node {
        self.required = r;
        self
    }
    pub const fn one_of(mut self, e: &'static [&'static str]) -> Node {
        self.enum_ = e;
        self
    }
    pub const fn min(mut self, m: i64) -> Node {
        self.minimum = Some(m);
        self
    }
    pub const fn len(mut self, min: Option<usize>, max: Option<usize>) -> Node {
        self.min_length = min;
        self.max_length = max;
        self
    }
    pub const fn max_items(mut self, n: usize) -> Node {
        self.max_items = Some(n);
        self
    }
    pub const fn max_props(mut self, n: usize) -> Node {
        self.max_properties = Some(n);
        self
    }
    pub const fn immutable(mut self, message: &'static str) -> Node {
        self.immutable = Some((Immutable::Always, message));
        self
    }
    pub const fn set_once(mut self, message: &'static str) -> Node {
        self.immutable = Some((Immutable::OnceSet, message));
        self
    }
    pub const fn matches(mut self, re: &'static str, message: &'static str) -> Node {
        self.matches = Some((re, message, false));
        self
    }
    pub const fn matches_or_empty(mut self, re: &'static str, message: &'static str) -> Node {
        self.matches = Some((re, message, true));
        self
    }

    pub const fn pattern(mut self, re: &'static str) -> Node {
        self.pattern = Some(re);
        self
    }
    /// A `date-time` string (RFC 3339), as `format: date-time` makes the API server check.
    pub const fn date_time(mut self) -> Node {
        self.format = Some("date-time");
        self
    }
    /// The field's description.
    pub const fn doc(mut self, d: &'static str) -> Node {
        self.description = Some(d);
        self
    }

    /// The OpenAPI type name.
    pub fn type_name(&self) -> &'static str {
        match self.ty {
            Ty::String => "string",
            Ty::Integer => "integer",
            Ty::Boolean => "boolean",
            Ty::Object(_) | Ty::Map(_) | Ty::Opaque => "object",
            Ty::Array(_) => "array",
        }
    }
}

pub const fn string() -> Node {
    Node::of(Ty::String)
}
pub const fn integer() -> Node {
    Node::of(Ty::Integer)
}
pub const fn boolean() -> Node {
    Node::of(Ty::Boolean)
}
pub const fn object(props: &'static [Prop]) -> Node {
    Node::of(Ty::Object(props))
}
pub const fn map(values: &'static Node) -> Node {
    Node::of(Ty::Map(values))
}
pub const fn array(items: &'static Node) -> Node {
    Node::of(Ty::Array(items))
}
pub const fn opaque() -> Node {
    Node::of(Ty::Opaque)
}
pub const fn prop(name: &'static str, node: Node) -> Prop {
    Prop { name, node }
}

/// A cross-field rule of a kind (a CEL rule on an object): the path it reports at, its
/// message, and a check of the new `spec` (and the stored one on update): true when broken.
pub struct Rule {
    pub field: &'static str,
    pub message: &'static str,
    pub broken: fn(&Value, Option<&Value>) -> bool,
}

/// A schema default: the `spec` field and its value.
pub type SpecDefault = (&'static str, fn() -> Value);

/// The schema of one custom kind's `spec`, with its cross-field rules. `status` is written
/// through the status subresource and not modelled.
pub struct KindSchema {
    pub kind: &'static str,
    /// What the kind is, for `/openapi`.
    pub doc: &'static str,
    pub spec: Node,
    /// `spec` is required at the top level.
    pub spec_required: bool,
    pub rules: &'static [Rule],
    /// Schema defaults of required `spec` fields, filled in before validation as the API
    /// server does.
    pub defaults: &'static [SpecDefault],
}

impl KindSchema {
    /// Every declared path under `spec`, depth first, with its node: what the conformance test
    /// compares with the real CRD.
    pub fn paths(&self) -> Vec<(String, &Node)> {
        let mut out = Vec::new();
        walk(&self.spec, "spec".to_string(), &mut out);
        out
    }
}

fn walk<'a>(n: &'a Node, path: String, out: &mut Vec<(String, &'a Node)>) {
    out.push((path.clone(), n));
    match &n.ty {
        Ty::Object(props) => {
            for p in *props {
                walk(&p.node, format!("{path}.{}", p.name), out);
            }
        }
        Ty::Map(v) => walk(v, format!("{path}.*"), out),
        Ty::Array(i) => walk(i, format!("{path}[]"), out),
        _ => {}
    }
}
