//! @generated from `prelude.smithy` by the emitter in `prelude.rs`
//! (`WELD_BLESS=1 cargo test -p weld-codegen --lib prelude`). Do not edit.
use super::super::fragment::Fragment;
use super::super::source::FileId;
use super::*;
use crate::model::{IdlVersion, ShapeKind, SimpleKind};
pub(super) fn fragment() -> Fragment {
    Fragment {
        file: FileId(0),
        version: IdlVersion::V2,
        namespace: Some(s("smithy.api")),
        metadata: Vec::new(),
        applies: Vec::new(),
        shapes: Vec::from([
            shape(
                id("smithy.api", "String"),
                ShapeKind::Simple(SimpleKind::String),
                Traits::default(),
                Vec::new(),
                sp(631, 644),
            ),
            shape(
                id("smithy.api", "Blob"),
                ShapeKind::Simple(SimpleKind::Blob),
                Traits::default(),
                Vec::new(),
                sp(646, 655),
            ),
            shape(
                id("smithy.api", "BigInteger"),
                ShapeKind::Simple(SimpleKind::BigInteger),
                Traits::default(),
                Vec::new(),
                sp(657, 678),
            ),
            shape(
                id("smithy.api", "BigDecimal"),
                ShapeKind::Simple(SimpleKind::BigDecimal),
                Traits::default(),
                Vec::new(),
                sp(680, 701),
            ),
            shape(
                id("smithy.api", "Timestamp"),
                ShapeKind::Simple(SimpleKind::Timestamp),
                Traits::default(),
                Vec::new(),
                sp(703, 722),
            ),
            shape(
                id("smithy.api", "Document"),
                ShapeKind::Simple(SimpleKind::Document),
                Traits::default(),
                Vec::new(),
                sp(724, 741),
            ),
            shape(
                id("smithy.api", "Boolean"),
                ShapeKind::Simple(SimpleKind::Boolean),
                Traits::default(),
                Vec::new(),
                sp(743, 758),
            ),
            shape(
                id("smithy.api", "Byte"),
                ShapeKind::Simple(SimpleKind::Byte),
                Traits::default(),
                Vec::new(),
                sp(760, 769),
            ),
            shape(
                id("smithy.api", "Short"),
                ShapeKind::Simple(SimpleKind::Short),
                Traits::default(),
                Vec::new(),
                sp(771, 782),
            ),
            shape(
                id("smithy.api", "Integer"),
                ShapeKind::Simple(SimpleKind::Integer),
                Traits::default(),
                Vec::new(),
                sp(784, 799),
            ),
            shape(
                id("smithy.api", "Long"),
                ShapeKind::Simple(SimpleKind::Long),
                Traits::default(),
                Vec::new(),
                sp(801, 810),
            ),
            shape(
                id("smithy.api", "Float"),
                ShapeKind::Simple(SimpleKind::Float),
                Traits::default(),
                Vec::new(),
                sp(812, 823),
            ),
            shape(
                id("smithy.api", "Double"),
                ShapeKind::Simple(SimpleKind::Double),
                Traits::default(),
                Vec::new(),
                sp(825, 838),
            ),
            shape(
                id("smithy.api", "PrimitiveBoolean"),
                ShapeKind::Simple(SimpleKind::Boolean),
                traits([(id("smithy.api", "default"), Node::Bool(false), sp(840, 855))]),
                Vec::new(),
                sp(856, 880),
            ),
            shape(
                id("smithy.api", "PrimitiveByte"),
                ShapeKind::Simple(SimpleKind::Byte),
                traits([(id("smithy.api", "default"), int(0), sp(882, 893))]),
                Vec::new(),
                sp(894, 912),
            ),
            shape(
                id("smithy.api", "PrimitiveShort"),
                ShapeKind::Simple(SimpleKind::Short),
                traits([(id("smithy.api", "default"), int(0), sp(914, 925))]),
                Vec::new(),
                sp(926, 946),
            ),
            shape(
                id("smithy.api", "PrimitiveInteger"),
                ShapeKind::Simple(SimpleKind::Integer),
                traits([(id("smithy.api", "default"), int(0), sp(948, 959))]),
                Vec::new(),
                sp(960, 984),
            ),
            shape(
                id("smithy.api", "PrimitiveLong"),
                ShapeKind::Simple(SimpleKind::Long),
                traits([(id("smithy.api", "default"), int(0), sp(986, 997))]),
                Vec::new(),
                sp(998, 1016),
            ),
            shape(
                id("smithy.api", "PrimitiveFloat"),
                ShapeKind::Simple(SimpleKind::Float),
                traits([(id("smithy.api", "default"), int(0), sp(1018, 1029))]),
                Vec::new(),
                sp(1030, 1050),
            ),
            shape(
                id("smithy.api", "PrimitiveDouble"),
                ShapeKind::Simple(SimpleKind::Double),
                traits([(id("smithy.api", "default"), int(0), sp(1052, 1063))]),
                Vec::new(),
                sp(1064, 1086),
            ),
            shape(
                id("smithy.api", "Unit"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node(
                            "The unit type: a value that carries no information. It is the implicit\ninput and output of operations that declare none, and the target of\nunion members that have no payload.",
                        ),
                        sp(1088, 1274),
                    ),
                    (id("smithy.api", "unitType"), obj([]), sp(1275, 1284)),
                ]),
                Vec::new(),
                sp(1285, 1302),
            ),
            shape(
                id("smithy.api", "trait"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node(
                            "Turns the shape it is applied to into a trait definition.",
                        ),
                        sp(1412, 1473),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([
                            (
                                "selector",
                                str_node(":is(simpleType, list, map, structure, union)"),
                            ),
                        ]),
                        sp(1474, 1538),
                    ),
                ]),
                Vec::from([
                    member(
                        "selector",
                        id("smithy.api", "String"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node(
                                    "Where the trait may be applied; `*` (every shape) when absent.",
                                ),
                                sp(1561, 1627),
                            ),
                        ]),
                        sp(1632, 1648),
                        sp(1642, 1648),
                    ),
                    member(
                        "structurallyExclusive",
                        id("smithy.api", "StructurallyExclusive"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node(
                                    "Allows only one member of an aggregate to carry the trait\n(`member`) or to target a shape carrying it (`target`).",
                                ),
                                sp(1654, 1779),
                            ),
                        ]),
                        sp(1784, 1828),
                        sp(1807, 1828),
                    ),
                    member(
                        "conflicts",
                        id("smithy.api", "NonEmptyStringList"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node(
                                    "Traits that may not be applied together with this one.",
                                ),
                                sp(1834, 1892),
                            ),
                        ]),
                        sp(1897, 1926),
                        sp(1908, 1926),
                    ),
                    member(
                        "breakingChanges",
                        id("smithy.api", "TraitDiffRules"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node(
                                    "Rules a diff tool uses to detect backward-incompatible changes.",
                                ),
                                sp(1932, 1999),
                            ),
                        ]),
                        sp(2004, 2035),
                        sp(2021, 2035),
                    ),
                ]),
                sp(1539, 2037),
            ),
            shape(
                id("smithy.api", "TraitDiffRules"),
                ShapeKind::List,
                traits([
                    (id("smithy.api", "private"), obj([]), sp(2039, 2047)),
                    (id("smithy.api", "length"), obj([("min", int(1))]), sp(2048, 2063)),
                ]),
                Vec::from([
                    member(
                        "member",
                        id("smithy.api", "TraitDiffRule"),
                        Traits::default(),
                        sp(2090, 2111),
                        sp(2098, 2111),
                    ),
                ]),
                sp(2064, 2113),
            ),
            shape(
                id("smithy.api", "TraitDiffRule"),
                ShapeKind::Structure,
                traits([(id("smithy.api", "private"), obj([]), sp(2115, 2123))]),
                Vec::from([
                    member(
                        "path",
                        id("smithy.api", "String"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node("JSON pointer into the trait value."),
                                sp(2154, 2192),
                            ),
                        ]),
                        sp(2197, 2209),
                        sp(2203, 2209),
                    ),
                    member(
                        "change",
                        id("smithy.api", "TraitChangeType"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node("The kind of change that is reported."),
                                sp(2215, 2255),
                            ),
                            (id("smithy.api", "required"), obj([]), sp(2260, 2269)),
                        ]),
                        sp(2274, 2297),
                        sp(2282, 2297),
                    ),
                    member(
                        "severity",
                        id("smithy.api", "TraitChangeSeverity"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node("How serious the change is."),
                                sp(2303, 2333),
                            ),
                            (
                                id("smithy.api", "default"),
                                str_node("ERROR"),
                                sp(2370, 2377),
                            ),
                        ]),
                        sp(2338, 2377),
                        sp(2348, 2367),
                    ),
                    member(
                        "message",
                        id("smithy.api", "String"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node("Why the change is a problem."),
                                sp(2383, 2415),
                            ),
                        ]),
                        sp(2420, 2435),
                        sp(2429, 2435),
                    ),
                ]),
                sp(2124, 2437),
            ),
            shape(
                id("smithy.api", "TraitChangeType"),
                ShapeKind::Enum,
                traits([(id("smithy.api", "private"), obj([]), sp(2439, 2447))]),
                Vec::from([
                    member(
                        "UPDATE",
                        id("smithy.api", "Unit"),
                        traits([
                            (
                                id("smithy.api", "enumValue"),
                                str_node("update"),
                                sp(2484, 2492),
                            ),
                        ]),
                        sp(2475, 2492),
                        sp(2475, 2481),
                    ),
                    member(
                        "ADD",
                        id("smithy.api", "Unit"),
                        traits([
                            (
                                id("smithy.api", "enumValue"),
                                str_node("add"),
                                sp(2503, 2508),
                            ),
                        ]),
                        sp(2497, 2508),
                        sp(2497, 2500),
                    ),
                    member(
                        "REMOVE",
                        id("smithy.api", "Unit"),
                        traits([
                            (
                                id("smithy.api", "enumValue"),
                                str_node("remove"),
                                sp(2522, 2530),
                            ),
                        ]),
                        sp(2513, 2530),
                        sp(2513, 2519),
                    ),
                    member(
                        "PRESENCE",
                        id("smithy.api", "Unit"),
                        traits([
                            (
                                id("smithy.api", "enumValue"),
                                str_node("presence"),
                                sp(2546, 2556),
                            ),
                        ]),
                        sp(2535, 2556),
                        sp(2535, 2543),
                    ),
                    member(
                        "ANY",
                        id("smithy.api", "Unit"),
                        traits([
                            (
                                id("smithy.api", "enumValue"),
                                str_node("any"),
                                sp(2567, 2572),
                            ),
                        ]),
                        sp(2561, 2572),
                        sp(2561, 2564),
                    ),
                ]),
                sp(2448, 2574),
            ),
            shape(
                id("smithy.api", "TraitChangeSeverity"),
                ShapeKind::Enum,
                traits([(id("smithy.api", "private"), obj([]), sp(2576, 2584))]),
                Vec::from([
                    member(
                        "NOTE",
                        id("smithy.api", "Unit"),
                        traits([
                            (
                                id("smithy.api", "enumValue"),
                                str_node("NOTE"),
                                sp(2616, 2620),
                            ),
                        ]),
                        sp(2616, 2620),
                        sp(2616, 2620),
                    ),
                    member(
                        "WARNING",
                        id("smithy.api", "Unit"),
                        traits([
                            (
                                id("smithy.api", "enumValue"),
                                str_node("WARNING"),
                                sp(2625, 2632),
                            ),
                        ]),
                        sp(2625, 2632),
                        sp(2625, 2632),
                    ),
                    member(
                        "DANGER",
                        id("smithy.api", "Unit"),
                        traits([
                            (
                                id("smithy.api", "enumValue"),
                                str_node("DANGER"),
                                sp(2637, 2643),
                            ),
                        ]),
                        sp(2637, 2643),
                        sp(2637, 2643),
                    ),
                    member(
                        "ERROR",
                        id("smithy.api", "Unit"),
                        traits([
                            (
                                id("smithy.api", "enumValue"),
                                str_node("ERROR"),
                                sp(2648, 2653),
                            ),
                        ]),
                        sp(2648, 2653),
                        sp(2648, 2653),
                    ),
                ]),
                sp(2585, 2655),
            ),
            shape(
                id("smithy.api", "StructurallyExclusive"),
                ShapeKind::Enum,
                traits([(id("smithy.api", "private"), obj([]), sp(2657, 2665))]),
                Vec::from([
                    member(
                        "MEMBER",
                        id("smithy.api", "Unit"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node(
                                    "At most one member of a shape may carry the trait.",
                                ),
                                sp(2699, 2753),
                            ),
                            (
                                id("smithy.api", "enumValue"),
                                str_node("member"),
                                sp(2767, 2775),
                            ),
                        ]),
                        sp(2758, 2775),
                        sp(2758, 2764),
                    ),
                    member(
                        "TARGET",
                        id("smithy.api", "Unit"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node(
                                    "At most one member of a shape may target a shape carrying the trait.",
                                ),
                                sp(2781, 2853),
                            ),
                            (
                                id("smithy.api", "enumValue"),
                                str_node("target"),
                                sp(2867, 2875),
                            ),
                        ]),
                        sp(2858, 2875),
                        sp(2858, 2864),
                    ),
                ]),
                sp(2666, 2877),
            ),
            shape(
                id("smithy.api", "protocolDefinition"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node(
                            "Marks a trait as defining a protocol. The marked trait must itself be a\nstructure trait and is applied to services.",
                        ),
                        sp(2879, 3002),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([("selector", str_node("structure[trait|trait]"))]),
                        sp(3003, 3045),
                    ),
                ]),
                Vec::from([
                    member(
                        "traits",
                        id("smithy.api", "TraitShapeIdList"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node(
                                    "Traits a protocol implementation must understand.",
                                ),
                                sp(3081, 3134),
                            ),
                        ]),
                        sp(3139, 3163),
                        sp(3147, 3163),
                    ),
                    member(
                        "noInlineDocumentSupport",
                        id("smithy.api", "Boolean"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node(
                                    "True when the protocol cannot carry inline documents.",
                                ),
                                sp(3169, 3226),
                            ),
                        ]),
                        sp(3231, 3263),
                        sp(3256, 3263),
                    ),
                ]),
                sp(3046, 3265),
            ),
            shape(
                id("smithy.api", "authDefinition"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node("Marks a trait as defining an authentication scheme."),
                        sp(3267, 3322),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([("selector", str_node("structure[trait|trait]"))]),
                        sp(3323, 3365),
                    ),
                ]),
                Vec::from([
                    member(
                        "traits",
                        id("smithy.api", "TraitShapeIdList"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node(
                                    "Traits an implementation of the scheme must understand.",
                                ),
                                sp(3397, 3456),
                            ),
                        ]),
                        sp(3461, 3485),
                        sp(3469, 3485),
                    ),
                ]),
                sp(3366, 3487),
            ),
            shape(
                id("smithy.api", "TraitShapeIdList"),
                ShapeKind::List,
                traits([(id("smithy.api", "private"), obj([]), sp(3489, 3497))]),
                Vec::from([
                    member(
                        "member",
                        id("smithy.api", "TraitShapeId"),
                        Traits::default(),
                        sp(3526, 3546),
                        sp(3534, 3546),
                    ),
                ]),
                sp(3498, 3548),
            ),
            shape(
                id("smithy.api", "TraitShapeId"),
                ShapeKind::Simple(SimpleKind::String),
                traits([
                    (id("smithy.api", "private"), obj([]), sp(3550, 3558)),
                    (
                        id("smithy.api", "idRef"),
                        obj([
                            ("failWhenMissing", Node::Bool(true)),
                            ("selector", str_node("[trait|trait]")),
                        ]),
                        sp(3559, 3615),
                    ),
                ]),
                Vec::new(),
                sp(3616, 3635),
            ),
            shape(
                id("smithy.api", "documentation"),
                ShapeKind::Simple(SimpleKind::String),
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node("CommonMark documentation of a shape or member."),
                        sp(3742, 3792),
                    ),
                    (id("smithy.api", "trait"), obj([]), sp(3793, 3799)),
                ]),
                Vec::new(),
                sp(3800, 3820),
            ),
            shape(
                id("smithy.api", "externalDocumentation"),
                ShapeKind::Map,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node("Named links to documentation kept elsewhere."),
                        sp(3822, 3870),
                    ),
                    (id("smithy.api", "trait"), obj([]), sp(3871, 3877)),
                    (id("smithy.api", "length"), obj([("min", int(1))]), sp(3878, 3893)),
                ]),
                Vec::from([
                    member(
                        "key",
                        id("smithy.api", "NonEmptyString"),
                        Traits::default(),
                        sp(3926, 3945),
                        sp(3931, 3945),
                    ),
                    member(
                        "value",
                        id("smithy.api", "NonEmptyString"),
                        Traits::default(),
                        sp(3950, 3971),
                        sp(3957, 3971),
                    ),
                ]),
                sp(3894, 3973),
            ),
            shape(
                id("smithy.api", "deprecated"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node("Marks a shape or member as deprecated."),
                        sp(3975, 4017),
                    ),
                    (id("smithy.api", "trait"), obj([]), sp(4018, 4024)),
                ]),
                Vec::from([
                    member(
                        "message",
                        id("smithy.api", "String"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node("Why it is deprecated and what to use instead."),
                                sp(4052, 4101),
                            ),
                        ]),
                        sp(4106, 4121),
                        sp(4115, 4121),
                    ),
                    member(
                        "since",
                        id("smithy.api", "String"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node("When it was deprecated (a date or a version)."),
                                sp(4127, 4176),
                            ),
                        ]),
                        sp(4181, 4194),
                        sp(4188, 4194),
                    ),
                ]),
                sp(4025, 4196),
            ),
            shape(
                id("smithy.api", "examples"),
                ShapeKind::List,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node("Examples of operation inputs, outputs and errors."),
                        sp(4198, 4251),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([("selector", str_node("operation"))]),
                        sp(4252, 4281),
                    ),
                ]),
                Vec::from([
                    member(
                        "member",
                        id("smithy.api", "Example"),
                        Traits::default(),
                        sp(4302, 4317),
                        sp(4310, 4317),
                    ),
                ]),
                sp(4282, 4319),
            ),
            shape(
                id("smithy.api", "Example"),
                ShapeKind::Structure,
                traits([(id("smithy.api", "private"), obj([]), sp(4321, 4329))]),
                Vec::from([
                    member(
                        "title",
                        id("smithy.api", "String"),
                        traits([
                            (id("smithy.api", "required"), obj([]), sp(4354, 4363)),
                        ]),
                        sp(4368, 4381),
                        sp(4375, 4381),
                    ),
                    member(
                        "documentation",
                        id("smithy.api", "String"),
                        Traits::default(),
                        sp(4387, 4408),
                        sp(4402, 4408),
                    ),
                    member(
                        "input",
                        id("smithy.api", "Document"),
                        Traits::default(),
                        sp(4414, 4429),
                        sp(4421, 4429),
                    ),
                    member(
                        "output",
                        id("smithy.api", "Document"),
                        Traits::default(),
                        sp(4435, 4451),
                        sp(4443, 4451),
                    ),
                    member(
                        "error",
                        id("smithy.api", "ExampleError"),
                        Traits::default(),
                        sp(4457, 4476),
                        sp(4464, 4476),
                    ),
                    member(
                        "allowConstraintErrors",
                        id("smithy.api", "Boolean"),
                        Traits::default(),
                        sp(4482, 4512),
                        sp(4505, 4512),
                    ),
                ]),
                sp(4330, 4514),
            ),
            shape(
                id("smithy.api", "ExampleError"),
                ShapeKind::Structure,
                traits([(id("smithy.api", "private"), obj([]), sp(4516, 4524))]),
                Vec::from([
                    member(
                        "shapeId",
                        id("smithy.api", "String"),
                        traits([
                            (
                                id("smithy.api", "idRef"),
                                obj([("selector", str_node("structure[trait|error]"))]),
                                sp(4554, 4596),
                            ),
                        ]),
                        sp(4601, 4616),
                        sp(4610, 4616),
                    ),
                    member(
                        "content",
                        id("smithy.api", "Document"),
                        Traits::default(),
                        sp(4622, 4639),
                        sp(4631, 4639),
                    ),
                ]),
                sp(4525, 4641),
            ),
            shape(
                id("smithy.api", "internal"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node(
                            "Meant for internal use only; must not be exposed to customers.",
                        ),
                        sp(4643, 4709),
                    ),
                    (id("smithy.api", "trait"), obj([]), sp(4710, 4716)),
                ]),
                Vec::new(),
                sp(4717, 4738),
            ),
            shape(
                id("smithy.api", "since"),
                ShapeKind::Simple(SimpleKind::String),
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node(
                            "The version or date at which a shape or member was added.",
                        ),
                        sp(4740, 4801),
                    ),
                    (id("smithy.api", "trait"), obj([]), sp(4802, 4808)),
                ]),
                Vec::new(),
                sp(4809, 4821),
            ),
            shape(
                id("smithy.api", "tags"),
                ShapeKind::List,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node("Free-form tags used to filter and group shapes."),
                        sp(4823, 4874),
                    ),
                    (id("smithy.api", "trait"), obj([]), sp(4875, 4881)),
                ]),
                Vec::from([
                    member(
                        "member",
                        id("smithy.api", "String"),
                        Traits::default(),
                        sp(4898, 4912),
                        sp(4906, 4912),
                    ),
                ]),
                sp(4882, 4914),
            ),
            shape(
                id("smithy.api", "title"),
                ShapeKind::Simple(SimpleKind::String),
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node("A human-friendly name for a service or resource."),
                        sp(4916, 4968),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([("selector", str_node(":is(service, resource)"))]),
                        sp(4969, 5011),
                    ),
                ]),
                Vec::new(),
                sp(5012, 5024),
            ),
            shape(
                id("smithy.api", "unstable"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node("The shape may change in backward-incompatible ways."),
                        sp(5026, 5081),
                    ),
                    (id("smithy.api", "trait"), obj([]), sp(5082, 5088)),
                ]),
                Vec::new(),
                sp(5089, 5110),
            ),
            shape(
                id("smithy.api", "suppress"),
                ShapeKind::List,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node("Names of validation events suppressed on the shape."),
                        sp(5112, 5167),
                    ),
                    (id("smithy.api", "trait"), obj([]), sp(5168, 5174)),
                ]),
                Vec::from([
                    member(
                        "member",
                        id("smithy.api", "String"),
                        traits([
                            (
                                id("smithy.api", "length"),
                                obj([("min", int(1))]),
                                sp(5195, 5210),
                            ),
                        ]),
                        sp(5215, 5229),
                        sp(5223, 5229),
                    ),
                ]),
                sp(5175, 5231),
            ),
            shape(
                id("smithy.api", "private"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node(
                            "Prevents shapes of other namespaces from referencing the shape.",
                        ),
                        sp(5233, 5300),
                    ),
                    (id("smithy.api", "trait"), obj([]), sp(5301, 5307)),
                ]),
                Vec::new(),
                sp(5308, 5328),
            ),
            shape(
                id("smithy.api", "sensitive"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node(
                            "The data is sensitive and must be handled with care (e.g. not logged).",
                        ),
                        sp(5330, 5404),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([
                            (
                                "selector",
                                str_node(
                                    ":not(:test(service, operation, resource, member))",
                                ),
                            ),
                        ]),
                        sp(5405, 5474),
                    ),
                ]),
                Vec::new(),
                sp(5475, 5497),
            ),
            shape(
                id("smithy.api", "default"),
                ShapeKind::Simple(SimpleKind::Document),
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node(
                            "The default value of a member, or of every member targeting the shape.",
                        ),
                        sp(5606, 5680),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([
                            (
                                "selector",
                                str_node(
                                    ":is(simpleType, list, map, structure > member :test(> :is(simpleType, list, map)))",
                                ),
                            ),
                        ]),
                        sp(5681, 5783),
                    ),
                ]),
                Vec::new(),
                sp(5784, 5800),
            ),
            shape(
                id("smithy.api", "addedDefault"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node(
                            "Records that `@default` was added to a member after it was published.",
                        ),
                        sp(5802, 5875),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([
                            ("selector", str_node("structure > member [trait|default]")),
                        ]),
                        sp(5876, 5930),
                    ),
                ]),
                Vec::new(),
                sp(5931, 5956),
            ),
            shape(
                id("smithy.api", "clientOptional"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node(
                            "Tells non-authoritative generators (clients) to treat the member as\noptional even when it is required or has a default.",
                        ),
                        sp(5958, 6085),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([("selector", str_node("structure > member"))]),
                        sp(6086, 6124),
                    ),
                ]),
                Vec::new(),
                sp(6125, 6152),
            ),
            shape(
                id("smithy.api", "box"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node(
                            "IDL 1.0 only: a member targeting the shape may hold no value and has no\ndefault.",
                        ),
                        sp(6154, 6242),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([
                            (
                                "selector",
                                str_node(
                                    ":test(boolean, byte, short, integer, long, float, double,\nmember > :test(boolean, byte, short, integer, long, float, double))",
                                ),
                            ),
                        ]),
                        sp(6243, 6415),
                    ),
                ]),
                Vec::new(),
                sp(6416, 6432),
            ),
            shape(
                id("smithy.api", "enumValue"),
                ShapeKind::Simple(SimpleKind::Document),
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node("The value of an enum or intEnum member."),
                        sp(6434, 6477),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([("selector", str_node(":is(enum, intEnum) > member"))]),
                        sp(6478, 6525),
                    ),
                ]),
                Vec::new(),
                sp(6526, 6544),
            ),
            shape(
                id("smithy.api", "error"),
                ShapeKind::Enum,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node(
                            "Marks a structure as an error; the value says who is at fault.",
                        ),
                        sp(6546, 6612),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([
                            ("selector", str_node("structure")),
                            (
                                "conflicts",
                                Node::Array(Vec::from([str_node("smithy.api#trait")])),
                            ),
                        ]),
                        sp(6613, 6662),
                    ),
                ]),
                Vec::from([
                    member(
                        "CLIENT",
                        id("smithy.api", "Unit"),
                        traits([
                            (
                                id("smithy.api", "enumValue"),
                                str_node("client"),
                                sp(6689, 6697),
                            ),
                        ]),
                        sp(6680, 6697),
                        sp(6680, 6686),
                    ),
                    member(
                        "SERVER",
                        id("smithy.api", "Unit"),
                        traits([
                            (
                                id("smithy.api", "enumValue"),
                                str_node("server"),
                                sp(6711, 6719),
                            ),
                        ]),
                        sp(6702, 6719),
                        sp(6702, 6708),
                    ),
                ]),
                sp(6663, 6721),
            ),
            shape(
                id("smithy.api", "input"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node(
                            "Specializes a structure for use only as the input of one operation.",
                        ),
                        sp(6723, 6794),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([
                            ("selector", str_node("structure")),
                            (
                                "conflicts",
                                Node::Array(
                                    Vec::from([
                                        str_node("smithy.api#output"),
                                        str_node("smithy.api#error"),
                                    ]),
                                ),
                            ),
                        ]),
                        sp(6795, 6852),
                    ),
                ]),
                Vec::new(),
                sp(6853, 6871),
            ),
            shape(
                id("smithy.api", "output"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node(
                            "Specializes a structure for use only as the output of one operation.",
                        ),
                        sp(6873, 6945),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([
                            ("selector", str_node("structure")),
                            (
                                "conflicts",
                                Node::Array(
                                    Vec::from([
                                        str_node("smithy.api#input"),
                                        str_node("smithy.api#error"),
                                    ]),
                                ),
                            ),
                        ]),
                        sp(6946, 7002),
                    ),
                ]),
                Vec::new(),
                sp(7003, 7022),
            ),
            shape(
                id("smithy.api", "mixin"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node(
                            "Turns a structure or union into a mixin whose members and traits are\ncopied into the shapes that use it.",
                        ),
                        sp(7024, 7136),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([("selector", str_node(":not(member)"))]),
                        sp(7137, 7169),
                    ),
                ]),
                Vec::from([
                    member(
                        "localTraits",
                        id("smithy.api", "LocalMixinTraitList"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node("Traits of the mixin that are not copied."),
                                sp(7192, 7236),
                            ),
                        ]),
                        sp(7241, 7273),
                        sp(7254, 7273),
                    ),
                ]),
                sp(7170, 7275),
            ),
            shape(
                id("smithy.api", "LocalMixinTraitList"),
                ShapeKind::List,
                traits([(id("smithy.api", "private"), obj([]), sp(7277, 7285))]),
                Vec::from([
                    member(
                        "member",
                        id("smithy.api", "LocalMixinTrait"),
                        Traits::default(),
                        sp(7317, 7340),
                        sp(7325, 7340),
                    ),
                ]),
                sp(7286, 7342),
            ),
            shape(
                id("smithy.api", "LocalMixinTrait"),
                ShapeKind::Simple(SimpleKind::String),
                traits([
                    (
                        id("smithy.api", "idRef"),
                        obj([
                            ("selector", str_node("[trait|trait]")),
                            ("failWhenMissing", Node::Bool(true)),
                            (
                                "errorMessage",
                                str_node(
                                    "localTraits entries of a mixin trait must name a trait.",
                                ),
                            ),
                        ]),
                        sp(7344, 7485),
                    ),
                    (id("smithy.api", "private"), obj([]), sp(7486, 7494)),
                ]),
                Vec::new(),
                sp(7495, 7517),
            ),
            shape(
                id("smithy.api", "unitType"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node("Only `smithy.api#Unit` carries this trait."),
                        sp(7519, 7565),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([("selector", str_node("[id=smithy.api#Unit]"))]),
                        sp(7566, 7606),
                    ),
                ]),
                Vec::new(),
                sp(7607, 7628),
            ),
            shape(
                id("smithy.api", "enum"),
                ShapeKind::List,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node(
                            "IDL 1.0 style enumeration of the values a string may take. Replaced by\nthe enum shape in Smithy 2.0.",
                        ),
                        sp(7630, 7738),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([("selector", str_node("string :not(enum)"))]),
                        sp(7739, 7776),
                    ),
                    (id("smithy.api", "length"), obj([("min", int(1))]), sp(7777, 7792)),
                    (
                        id("smithy.api", "deprecated"),
                        obj([
                            (
                                "message",
                                str_node(
                                    "The enum trait is replaced by the enum shape in Smithy 2.0",
                                ),
                            ),
                            ("since", str_node("2.0")),
                        ]),
                        sp(7793, 7889),
                    ),
                ]),
                Vec::from([
                    member(
                        "member",
                        id("smithy.api", "EnumDefinition"),
                        Traits::default(),
                        sp(7906, 7928),
                        sp(7914, 7928),
                    ),
                ]),
                sp(7890, 7930),
            ),
            shape(
                id("smithy.api", "EnumDefinition"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node("One value of the `@enum` trait."),
                        sp(7932, 7967),
                    ),
                    (id("smithy.api", "private"), obj([]), sp(7968, 7976)),
                ]),
                Vec::from([
                    member(
                        "value",
                        id("smithy.api", "NonEmptyString"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node("The value sent over the wire."),
                                sp(8008, 8041),
                            ),
                            (id("smithy.api", "required"), obj([]), sp(8046, 8055)),
                        ]),
                        sp(8060, 8081),
                        sp(8067, 8081),
                    ),
                    member(
                        "name",
                        id("smithy.api", "EnumConstantBodyName"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node("The name used in generated code."),
                                sp(8087, 8123),
                            ),
                        ]),
                        sp(8128, 8154),
                        sp(8134, 8154),
                    ),
                    member(
                        "documentation",
                        id("smithy.api", "String"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node("Documentation of the value."),
                                sp(8160, 8191),
                            ),
                        ]),
                        sp(8196, 8217),
                        sp(8211, 8217),
                    ),
                    member(
                        "tags",
                        id("smithy.api", "NonEmptyStringList"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node("Tags of the value."),
                                sp(8223, 8245),
                            ),
                        ]),
                        sp(8250, 8274),
                        sp(8256, 8274),
                    ),
                    member(
                        "deprecated",
                        id("smithy.api", "Boolean"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node("Whether the value is deprecated."),
                                sp(8280, 8316),
                            ),
                        ]),
                        sp(8321, 8340),
                        sp(8333, 8340),
                    ),
                ]),
                sp(7977, 8342),
            ),
            shape(
                id("smithy.api", "EnumConstantBodyName"),
                ShapeKind::Simple(SimpleKind::String),
                traits([
                    (id("smithy.api", "private"), obj([]), sp(8344, 8352)),
                    (
                        id("smithy.api", "pattern"),
                        str_node("^[a-zA-Z_]+[a-zA-Z_0-9]*$"),
                        sp(8353, 8390),
                    ),
                ]),
                Vec::new(),
                sp(8391, 8418),
            ),
            shape(
                id("smithy.api", "sparse"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node("Marks a list or map as able to hold null values."),
                        sp(8420, 8472),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([("selector", str_node(":is(list, map)"))]),
                        sp(8473, 8507),
                    ),
                ]),
                Vec::new(),
                sp(8508, 8527),
            ),
            shape(
                id("smithy.api", "idRef"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node(
                            "Indicates that the shape refers to another shape by its id.",
                        ),
                        sp(8529, 8592),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([("selector", str_node(":test(string, member > string)"))]),
                        sp(8593, 8643),
                    ),
                ]),
                Vec::from([
                    member(
                        "selector",
                        id("smithy.api", "String"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node("What the referenced shape must match."),
                                sp(8666, 8707),
                            ),
                            (id("smithy.api", "default"), str_node("*"), sp(8731, 8734)),
                        ]),
                        sp(8712, 8734),
                        sp(8722, 8728),
                    ),
                    member(
                        "failWhenMissing",
                        id("smithy.api", "Boolean"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node("When true, the referenced shape must exist."),
                                sp(8740, 8787),
                            ),
                        ]),
                        sp(8792, 8816),
                        sp(8809, 8816),
                    ),
                    member(
                        "errorMessage",
                        id("smithy.api", "String"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node("Message shown when the reference is invalid."),
                                sp(8822, 8870),
                            ),
                        ]),
                        sp(8875, 8895),
                        sp(8889, 8895),
                    ),
                ]),
                sp(8644, 8897),
            ),
            shape(
                id("smithy.api", "timestampFormat"),
                ShapeKind::Enum,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node("The format of a timestamp on the wire."),
                        sp(8899, 8941),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([
                            (
                                "selector",
                                str_node(":test(timestamp, member > timestamp)"),
                            ),
                        ]),
                        sp(8942, 8998),
                    ),
                ]),
                Vec::from([
                    member(
                        "DATE_TIME",
                        id("smithy.api", "Unit"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node(
                                    "RFC 3339 date-time with no UTC offset, e.g. 1985-04-12T23:20:50.52Z.",
                                ),
                                sp(9026, 9098),
                            ),
                            (
                                id("smithy.api", "enumValue"),
                                str_node("date-time"),
                                sp(9115, 9126),
                            ),
                        ]),
                        sp(9103, 9126),
                        sp(9103, 9112),
                    ),
                    member(
                        "EPOCH_SECONDS",
                        id("smithy.api", "Unit"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node(
                                    "Seconds since the Unix epoch, with optional fraction.",
                                ),
                                sp(9132, 9189),
                            ),
                            (
                                id("smithy.api", "enumValue"),
                                str_node("epoch-seconds"),
                                sp(9210, 9225),
                            ),
                        ]),
                        sp(9194, 9225),
                        sp(9194, 9207),
                    ),
                    member(
                        "HTTP_DATE",
                        id("smithy.api", "Unit"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node(
                                    "RFC 7231 IMF-fixdate, e.g. Tue, 29 Apr 2014 18:30:38 GMT.",
                                ),
                                sp(9231, 9292),
                            ),
                            (
                                id("smithy.api", "enumValue"),
                                str_node("http-date"),
                                sp(9309, 9320),
                            ),
                        ]),
                        sp(9297, 9320),
                        sp(9297, 9306),
                    ),
                ]),
                sp(8999, 9322),
            ),
            shape(
                id("smithy.api", "length"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node(
                            "Bounds the length of a string or blob or the size of a collection or map.",
                        ),
                        sp(9426, 9503),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([
                            (
                                "selector",
                                str_node(
                                    ":test(list, map, string, blob, member > :is(list, map, string, blob))",
                                ),
                            ),
                        ]),
                        sp(9504, 9593),
                    ),
                ]),
                Vec::from([
                    member(
                        "min",
                        id("smithy.api", "Long"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node("Inclusive minimum."),
                                sp(9617, 9639),
                            ),
                        ]),
                        sp(9644, 9653),
                        sp(9649, 9653),
                    ),
                    member(
                        "max",
                        id("smithy.api", "Long"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node("Inclusive maximum."),
                                sp(9659, 9681),
                            ),
                        ]),
                        sp(9686, 9695),
                        sp(9691, 9695),
                    ),
                ]),
                sp(9594, 9697),
            ),
            shape(
                id("smithy.api", "range"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node("Bounds a number."),
                        sp(9699, 9719),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([("selector", str_node(":test(number, member > number)"))]),
                        sp(9720, 9770),
                    ),
                ]),
                Vec::from([
                    member(
                        "min",
                        id("smithy.api", "BigDecimal"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node("Inclusive minimum."),
                                sp(9793, 9815),
                            ),
                        ]),
                        sp(9820, 9835),
                        sp(9825, 9835),
                    ),
                    member(
                        "max",
                        id("smithy.api", "BigDecimal"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node("Inclusive maximum."),
                                sp(9841, 9863),
                            ),
                        ]),
                        sp(9868, 9883),
                        sp(9873, 9883),
                    ),
                ]),
                sp(9771, 9885),
            ),
            shape(
                id("smithy.api", "pattern"),
                ShapeKind::Simple(SimpleKind::String),
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node("A regular expression that string values must match."),
                        sp(9887, 9942),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([("selector", str_node(":test(string, member > string)"))]),
                        sp(9943, 9993),
                    ),
                ]),
                Vec::new(),
                sp(9994, 10008),
            ),
            shape(
                id("smithy.api", "required"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node("A value for the member must be present."),
                        sp(10010, 10053),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([("selector", str_node("structure > member"))]),
                        sp(10054, 10092),
                    ),
                ]),
                Vec::new(),
                sp(10093, 10114),
            ),
            shape(
                id("smithy.api", "recommended"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node(
                            "The member should be set, although it is not required.",
                        ),
                        sp(10116, 10174),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([
                            ("selector", str_node("structure > member")),
                            (
                                "conflicts",
                                Node::Array(Vec::from([str_node("smithy.api#required")])),
                            ),
                        ]),
                        sp(10175, 10236),
                    ),
                ]),
                Vec::from([
                    member(
                        "reason",
                        id("smithy.api", "String"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node("Why the member is recommended."),
                                sp(10265, 10299),
                            ),
                        ]),
                        sp(10304, 10318),
                        sp(10312, 10318),
                    ),
                ]),
                sp(10237, 10320),
            ),
            shape(
                id("smithy.api", "uniqueItems"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node("The items of the list must be unique."),
                        sp(10322, 10363),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([
                            (
                                "selector",
                                str_node(
                                    "list :not(> member ~> :is(float, double, document))",
                                ),
                            ),
                            (
                                "conflicts",
                                Node::Array(Vec::from([str_node("smithy.api#sparse")])),
                            ),
                        ]),
                        sp(10364, 10465),
                    ),
                ]),
                Vec::new(),
                sp(10466, 10490),
            ),
            shape(
                id("smithy.api", "idempotent"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node(
                            "Repeating identical requests has the same effect as one request.",
                        ),
                        sp(10593, 10661),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([
                            ("selector", str_node("operation")),
                            (
                                "conflicts",
                                Node::Array(Vec::from([str_node("smithy.api#readonly")])),
                            ),
                        ]),
                        sp(10662, 10714),
                    ),
                ]),
                Vec::new(),
                sp(10715, 10738),
            ),
            shape(
                id("smithy.api", "readonly"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node("The operation has no side effects."),
                        sp(10740, 10778),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([
                            ("selector", str_node("operation")),
                            (
                                "conflicts",
                                Node::Array(Vec::from([str_node("smithy.api#idempotent")])),
                            ),
                        ]),
                        sp(10779, 10833),
                    ),
                ]),
                Vec::new(),
                sp(10834, 10855),
            ),
            shape(
                id("smithy.api", "idempotencyToken"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node(
                            "The input member the server uses to detect replayed requests.",
                        ),
                        sp(10857, 10922),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([
                            ("selector", str_node("structure > :test(member > string)")),
                            ("structurallyExclusive", str_node("member")),
                        ]),
                        sp(10923, 11010),
                    ),
                    (id("smithy.api", "notProperty"), obj([]), sp(11011, 11023)),
                ]),
                Vec::new(),
                sp(11024, 11053),
            ),
            shape(
                id("smithy.api", "retryable"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node("The error may be retried."),
                        sp(11055, 11084),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([("selector", str_node("structure[trait|error]"))]),
                        sp(11085, 11127),
                    ),
                ]),
                Vec::from([
                    member(
                        "throttling",
                        id("smithy.api", "Boolean"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node("The retry is due to throttling."),
                                sp(11154, 11189),
                            ),
                        ]),
                        sp(11194, 11213),
                        sp(11206, 11213),
                    ),
                ]),
                sp(11128, 11215),
            ),
            shape(
                id("smithy.api", "paginated"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node("The operation returns results in pages."),
                        sp(11217, 11260),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([("selector", str_node(":is(service, operation)"))]),
                        sp(11261, 11304),
                    ),
                ]),
                Vec::from([
                    member(
                        "inputToken",
                        id("smithy.api", "NonEmptyString"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node("Input member carrying the continuation token."),
                                sp(11331, 11380),
                            ),
                        ]),
                        sp(11385, 11411),
                        sp(11397, 11411),
                    ),
                    member(
                        "outputToken",
                        id("smithy.api", "NonEmptyString"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node("Output member carrying the continuation token."),
                                sp(11417, 11467),
                            ),
                        ]),
                        sp(11472, 11499),
                        sp(11485, 11499),
                    ),
                    member(
                        "items",
                        id("smithy.api", "NonEmptyString"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node(
                                    "Output member holding the paginated items (a list or map).",
                                ),
                                sp(11505, 11567),
                            ),
                        ]),
                        sp(11572, 11593),
                        sp(11579, 11593),
                    ),
                    member(
                        "pageSize",
                        id("smithy.api", "NonEmptyString"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node(
                                    "Input member limiting the number of results (an integer).",
                                ),
                                sp(11599, 11660),
                            ),
                        ]),
                        sp(11665, 11689),
                        sp(11675, 11689),
                    ),
                ]),
                sp(11305, 11691),
            ),
            shape(
                id("smithy.api", "requestCompression"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node("The operation supports compressed requests."),
                        sp(11693, 11740),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([("selector", str_node("operation"))]),
                        sp(11741, 11770),
                    ),
                ]),
                Vec::from([
                    member(
                        "encodings",
                        id("smithy.api", "RequestCompressionEncodingsList"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node("Supported encodings in order of preference."),
                                sp(11806, 11853),
                            ),
                            (id("smithy.api", "required"), obj([]), sp(11858, 11867)),
                        ]),
                        sp(11872, 11914),
                        sp(11883, 11914),
                    ),
                ]),
                sp(11771, 11916),
            ),
            shape(
                id("smithy.api", "RequestCompressionEncodingsList"),
                ShapeKind::List,
                traits([(id("smithy.api", "private"), obj([]), sp(11918, 11926))]),
                Vec::from([
                    member(
                        "member",
                        id("smithy.api", "String"),
                        Traits::default(),
                        sp(11970, 11984),
                        sp(11978, 11984),
                    ),
                ]),
                sp(11927, 11986),
            ),
            shape(
                id("smithy.api", "references"),
                ShapeKind::List,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node("Resources that a string or structure refers to."),
                        sp(12088, 12139),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([("selector", str_node(":is(structure, string)"))]),
                        sp(12140, 12182),
                    ),
                ]),
                Vec::from([
                    member(
                        "member",
                        id("smithy.api", "Reference"),
                        Traits::default(),
                        sp(12205, 12222),
                        sp(12213, 12222),
                    ),
                ]),
                sp(12183, 12224),
            ),
            shape(
                id("smithy.api", "Reference"),
                ShapeKind::Structure,
                traits([(id("smithy.api", "private"), obj([]), sp(12226, 12234))]),
                Vec::from([
                    member(
                        "resource",
                        id("smithy.api", "NonEmptyString"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node("Absolute or relative id of the resource."),
                                sp(12261, 12305),
                            ),
                            (id("smithy.api", "required"), obj([]), sp(12310, 12319)),
                        ]),
                        sp(12324, 12348),
                        sp(12334, 12348),
                    ),
                    member(
                        "ids",
                        id("smithy.api", "NonEmptyStringMap"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node(
                                    "Identifier name -> member name providing its value.",
                                ),
                                sp(12354, 12409),
                            ),
                        ]),
                        sp(12414, 12436),
                        sp(12419, 12436),
                    ),
                    member(
                        "service",
                        id("smithy.api", "NonEmptyString"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node("The service the reference is bound to."),
                                sp(12442, 12484),
                            ),
                        ]),
                        sp(12489, 12512),
                        sp(12498, 12512),
                    ),
                    member(
                        "rel",
                        id("smithy.api", "NonEmptyString"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node("The kind of relation (RFC 5988 link relation)."),
                                sp(12518, 12568),
                            ),
                        ]),
                        sp(12573, 12592),
                        sp(12578, 12592),
                    ),
                ]),
                sp(12235, 12594),
            ),
            shape(
                id("smithy.api", "NonEmptyStringMap"),
                ShapeKind::Map,
                traits([(id("smithy.api", "private"), obj([]), sp(12596, 12604))]),
                Vec::from([
                    member(
                        "key",
                        id("smithy.api", "NonEmptyString"),
                        Traits::default(),
                        sp(12633, 12652),
                        sp(12638, 12652),
                    ),
                    member(
                        "value",
                        id("smithy.api", "NonEmptyString"),
                        Traits::default(),
                        sp(12657, 12678),
                        sp(12664, 12678),
                    ),
                ]),
                sp(12605, 12680),
            ),
            shape(
                id("smithy.api", "resourceIdentifier"),
                ShapeKind::Simple(SimpleKind::String),
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node(
                            "The member provides the value of the named resource identifier.",
                        ),
                        sp(12682, 12749),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([
                            (
                                "selector",
                                str_node(
                                    "structure > :test(member[trait|required] > string)",
                                ),
                            ),
                        ]),
                        sp(12750, 12820),
                    ),
                    (
                        id("smithy.api", "length"),
                        obj([("min", int(1))]),
                        sp(12821, 12836),
                    ),
                    (id("smithy.api", "notProperty"), obj([]), sp(12837, 12849)),
                ]),
                Vec::new(),
                sp(12850, 12875),
            ),
            shape(
                id("smithy.api", "property"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node("The resource property a member maps to."),
                        sp(12877, 12920),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([
                            ("selector", str_node("structure > member")),
                            (
                                "conflicts",
                                Node::Array(
                                    Vec::from([str_node("smithy.api#resourceIdentifier")]),
                                ),
                            ),
                        ]),
                        sp(12921, 12992),
                    ),
                ]),
                Vec::from([
                    member(
                        "name",
                        id("smithy.api", "String"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node(
                                    "Property name, when it differs from the member name.",
                                ),
                                sp(13018, 13074),
                            ),
                        ]),
                        sp(13079, 13091),
                        sp(13085, 13091),
                    ),
                ]),
                sp(12993, 13093),
            ),
            shape(
                id("smithy.api", "notProperty"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node("Excludes a member from resource property mapping."),
                        sp(13095, 13148),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([
                            (
                                "selector",
                                str_node(
                                    ":is(operation -[input, output]-> structure > member, [trait|trait])",
                                ),
                            ),
                        ]),
                        sp(13149, 13236),
                    ),
                    (id("smithy.api", "notProperty"), obj([]), sp(13237, 13249)),
                ]),
                Vec::new(),
                sp(13250, 13274),
            ),
            shape(
                id("smithy.api", "nestedProperties"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node(
                            "The properties of a lifecycle operation are nested under this member.",
                        ),
                        sp(13276, 13349),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([
                            (
                                "selector",
                                str_node(
                                    "operation -[input, output]-> structure > member :test(> structure)",
                                ),
                            ),
                            ("structurallyExclusive", str_node("member")),
                        ]),
                        sp(13350, 13478),
                    ),
                    (id("smithy.api", "notProperty"), obj([]), sp(13479, 13491)),
                ]),
                Vec::new(),
                sp(13492, 13521),
            ),
            shape(
                id("smithy.api", "noReplace"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node(
                            "The put lifecycle operation of the resource cannot replace an existing\ninstance.",
                        ),
                        sp(13523, 13611),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([("selector", str_node("resource:test(-[put]->)"))]),
                        sp(13612, 13655),
                    ),
                ]),
                Vec::new(),
                sp(13656, 13678),
            ),
            shape(
                id("smithy.api", "auth"),
                ShapeKind::List,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node(
                            "Authentication schemes of a service or operation, in order of\npreference.",
                        ),
                        sp(13786, 13867),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([("selector", str_node(":is(service, operation)"))]),
                        sp(13868, 13911),
                    ),
                    (id("smithy.api", "uniqueItems"), obj([]), sp(13912, 13924)),
                ]),
                Vec::from([
                    member(
                        "member",
                        id("smithy.api", "AuthTraitReference"),
                        Traits::default(),
                        sp(13941, 13967),
                        sp(13949, 13967),
                    ),
                ]),
                sp(13925, 13969),
            ),
            shape(
                id("smithy.api", "AuthTraitReference"),
                ShapeKind::Simple(SimpleKind::String),
                traits([
                    (
                        id("smithy.api", "idRef"),
                        obj([("selector", str_node("[trait|authDefinition]"))]),
                        sp(13971, 14013),
                    ),
                    (id("smithy.api", "private"), obj([]), sp(14014, 14022)),
                ]),
                Vec::new(),
                sp(14023, 14048),
            ),
            shape(
                id("smithy.api", "optionalAuth"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node("The operation may be called without authentication."),
                        sp(14050, 14105),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([("selector", str_node("operation"))]),
                        sp(14106, 14135),
                    ),
                ]),
                Vec::new(),
                sp(14136, 14161),
            ),
            shape(
                id("smithy.api", "httpBasicAuth"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node("HTTP Basic authentication (RFC 2617)."),
                        sp(14163, 14204),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([("selector", str_node("service"))]),
                        sp(14205, 14232),
                    ),
                    (id("smithy.api", "authDefinition"), obj([]), sp(14233, 14248)),
                    (
                        id("smithy.api", "externalDocumentation"),
                        obj([
                            (
                                "RFC 2617",
                                str_node("https://tools.ietf.org/html/rfc2617.html"),
                            ),
                        ]),
                        sp(14249, 14327),
                    ),
                ]),
                Vec::new(),
                sp(14328, 14354),
            ),
            shape(
                id("smithy.api", "httpDigestAuth"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node("HTTP Digest authentication (RFC 2617)."),
                        sp(14356, 14398),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([("selector", str_node("service"))]),
                        sp(14399, 14426),
                    ),
                    (id("smithy.api", "authDefinition"), obj([]), sp(14427, 14442)),
                    (
                        id("smithy.api", "externalDocumentation"),
                        obj([
                            (
                                "RFC 2617",
                                str_node("https://tools.ietf.org/html/rfc2617.html"),
                            ),
                        ]),
                        sp(14443, 14521),
                    ),
                ]),
                Vec::new(),
                sp(14522, 14549),
            ),
            shape(
                id("smithy.api", "httpBearerAuth"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node("HTTP Bearer authentication (RFC 6750)."),
                        sp(14551, 14593),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([("selector", str_node("service"))]),
                        sp(14594, 14621),
                    ),
                    (id("smithy.api", "authDefinition"), obj([]), sp(14622, 14637)),
                    (
                        id("smithy.api", "externalDocumentation"),
                        obj([
                            (
                                "RFC 6750",
                                str_node("https://tools.ietf.org/html/rfc6750.html"),
                            ),
                        ]),
                        sp(14638, 14716),
                    ),
                ]),
                Vec::new(),
                sp(14717, 14744),
            ),
            shape(
                id("smithy.api", "httpApiKeyAuth"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node(
                            "An API key sent in a header or query string parameter.",
                        ),
                        sp(14746, 14804),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([("selector", str_node("service"))]),
                        sp(14805, 14832),
                    ),
                    (id("smithy.api", "authDefinition"), obj([]), sp(14833, 14848)),
                ]),
                Vec::from([
                    member(
                        "name",
                        id("smithy.api", "NonEmptyString"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node("Name of the header or query parameter."),
                                sp(14880, 14922),
                            ),
                            (id("smithy.api", "required"), obj([]), sp(14927, 14936)),
                        ]),
                        sp(14941, 14961),
                        sp(14947, 14961),
                    ),
                    member(
                        "in",
                        id("smithy.api", "HttpApiKeyLocations"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node("Where the key is sent."),
                                sp(14967, 14993),
                            ),
                            (id("smithy.api", "required"), obj([]), sp(14998, 15007)),
                        ]),
                        sp(15012, 15035),
                        sp(15016, 15035),
                    ),
                    member(
                        "scheme",
                        id("smithy.api", "NonEmptyString"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node(
                                    "Scheme prefix of the Authorization header (only with `in: \"header\"`).",
                                ),
                                sp(15041, 15114),
                            ),
                        ]),
                        sp(15119, 15141),
                        sp(15127, 15141),
                    ),
                ]),
                sp(14849, 15143),
            ),
            shape(
                id("smithy.api", "HttpApiKeyLocations"),
                ShapeKind::Enum,
                traits([(id("smithy.api", "private"), obj([]), sp(15145, 15153))]),
                Vec::from([
                    member(
                        "HEADER",
                        id("smithy.api", "Unit"),
                        traits([
                            (
                                id("smithy.api", "enumValue"),
                                str_node("header"),
                                sp(15194, 15202),
                            ),
                        ]),
                        sp(15185, 15202),
                        sp(15185, 15191),
                    ),
                    member(
                        "QUERY",
                        id("smithy.api", "Unit"),
                        traits([
                            (
                                id("smithy.api", "enumValue"),
                                str_node("query"),
                                sp(15215, 15222),
                            ),
                        ]),
                        sp(15207, 15222),
                        sp(15207, 15212),
                    ),
                ]),
                sp(15154, 15224),
            ),
            shape(
                id("smithy.api", "streaming"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node(
                            "The data is too large to hold in memory or its size is unknown up front;\non a union it makes the shape an event stream.",
                        ),
                        sp(15344, 15471),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([
                            ("selector", str_node(":is(blob, union)")),
                            ("structurallyExclusive", str_node("target")),
                        ]),
                        sp(15472, 15541),
                    ),
                ]),
                Vec::new(),
                sp(15542, 15564),
            ),
            shape(
                id("smithy.api", "requiresLength"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node("The streaming blob has a known, finite size."),
                        sp(15566, 15614),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([("selector", str_node("blob[trait|streaming]"))]),
                        sp(15615, 15656),
                    ),
                ]),
                Vec::new(),
                sp(15657, 15684),
            ),
            shape(
                id("smithy.api", "eventPayload"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node("The member is the payload of an event."),
                        sp(15686, 15728),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([
                            (
                                "selector",
                                str_node(
                                    "structure > :test(member > :test(blob, string, structure, union))",
                                ),
                            ),
                            (
                                "conflicts",
                                Node::Array(Vec::from([str_node("smithy.api#eventHeader")])),
                            ),
                            ("structurallyExclusive", str_node("member")),
                        ]),
                        sp(15729, 15885),
                    ),
                ]),
                Vec::new(),
                sp(15886, 15911),
            ),
            shape(
                id("smithy.api", "eventHeader"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node("The member is a header of an event."),
                        sp(15913, 15952),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([
                            (
                                "selector",
                                str_node(
                                    "structure >\n:test(member > :test(boolean, byte, short, integer, long, blob, string, timestamp))",
                                ),
                            ),
                            (
                                "conflicts",
                                Node::Array(
                                    Vec::from([str_node("smithy.api#eventPayload")]),
                                ),
                            ),
                        ]),
                        sp(15953, 16125),
                    ),
                ]),
                Vec::new(),
                sp(16126, 16150),
            ),
            shape(
                id("smithy.api", "jsonName"),
                ShapeKind::Simple(SimpleKind::String),
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node(
                            "The JSON property name of a member, when it differs from the member name.",
                        ),
                        sp(16270, 16347),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([("selector", str_node(":is(structure, union) > member"))]),
                        sp(16348, 16398),
                    ),
                ]),
                Vec::new(),
                sp(16399, 16414),
            ),
            shape(
                id("smithy.api", "mediaType"),
                ShapeKind::Simple(SimpleKind::String),
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node(
                            "The media type of a string or blob, e.g. \"video/quicktime\".",
                        ),
                        sp(16416, 16479),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([("selector", str_node(":is(blob, string)"))]),
                        sp(16480, 16517),
                    ),
                ]),
                Vec::new(),
                sp(16518, 16534),
            ),
            shape(
                id("smithy.api", "xmlAttribute"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node("Serializes a member as an XML attribute."),
                        sp(16536, 16580),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([
                            (
                                "selector",
                                str_node(
                                    "structure > :test(member > :test(boolean, number, string, timestamp))",
                                ),
                            ),
                            (
                                "conflicts",
                                Node::Array(
                                    Vec::from([str_node("smithy.api#xmlNamespace")]),
                                ),
                            ),
                        ]),
                        sp(16581, 16706),
                    ),
                ]),
                Vec::new(),
                sp(16707, 16732),
            ),
            shape(
                id("smithy.api", "xmlFlattened"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node(
                            "Unwraps the items of a list or map into the enclosing element.",
                        ),
                        sp(16734, 16800),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([
                            (
                                "selector",
                                str_node(
                                    ":is(structure, union) > :test(member > :test(list, map))",
                                ),
                            ),
                        ]),
                        sp(16801, 16877),
                    ),
                ]),
                Vec::new(),
                sp(16878, 16903),
            ),
            shape(
                id("smithy.api", "xmlName"),
                ShapeKind::Simple(SimpleKind::String),
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node(
                            "The XML element or attribute name of a structure, union or member.",
                        ),
                        sp(16905, 16975),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([("selector", str_node(":is(structure, union, member)"))]),
                        sp(16976, 17025),
                    ),
                    (
                        id("smithy.api", "pattern"),
                        str_node("^[a-zA-Z_][a-zA-Z_0-9-]*(:[a-zA-Z_][a-zA-Z_0-9-]*)?$"),
                        sp(17026, 17090),
                    ),
                ]),
                Vec::new(),
                sp(17091, 17105),
            ),
            shape(
                id("smithy.api", "xmlNamespace"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node("An XML namespace declaration added to the element."),
                        sp(17107, 17161),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([
                            (
                                "selector",
                                str_node(
                                    ":is(service, member, simpleType, list, map, structure, union)",
                                ),
                            ),
                            (
                                "conflicts",
                                Node::Array(
                                    Vec::from([str_node("smithy.api#xmlAttribute")]),
                                ),
                            ),
                        ]),
                        sp(17162, 17279),
                    ),
                ]),
                Vec::from([
                    member(
                        "uri",
                        id("smithy.api", "NonEmptyString"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node("The namespace URI."),
                                sp(17309, 17331),
                            ),
                            (id("smithy.api", "required"), obj([]), sp(17336, 17345)),
                        ]),
                        sp(17350, 17369),
                        sp(17355, 17369),
                    ),
                    member(
                        "prefix",
                        id("smithy.api", "NonEmptyString"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node("The namespace prefix."),
                                sp(17375, 17400),
                            ),
                            (
                                id("smithy.api", "pattern"),
                                str_node("^[a-zA-Z_][a-zA-Z_0-9-]*$"),
                                sp(17405, 17442),
                            ),
                        ]),
                        sp(17447, 17469),
                        sp(17455, 17469),
                    ),
                ]),
                sp(17280, 17471),
            ),
            shape(
                id("smithy.api", "httpChecksumRequired"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node("The operation needs a checksum of its HTTP request."),
                        sp(17473, 17528),
                    ),
                    (id("smithy.api", "unstable"), obj([]), sp(17529, 17538)),
                    (
                        id("smithy.api", "trait"),
                        obj([("selector", str_node("operation"))]),
                        sp(17539, 17568),
                    ),
                ]),
                Vec::new(),
                sp(17569, 17602),
            ),
            shape(
                id("smithy.api", "endpoint"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node("A host prefix for the endpoint of an operation."),
                        sp(17604, 17655),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([("selector", str_node("operation"))]),
                        sp(17656, 17685),
                    ),
                ]),
                Vec::from([
                    member(
                        "hostPrefix",
                        id("smithy.api", "NonEmptyString"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node(
                                    "The host prefix pattern; its labels bind input members.",
                                ),
                                sp(17711, 17770),
                            ),
                            (id("smithy.api", "required"), obj([]), sp(17775, 17784)),
                        ]),
                        sp(17789, 17815),
                        sp(17801, 17815),
                    ),
                ]),
                sp(17686, 17817),
            ),
            shape(
                id("smithy.api", "hostLabel"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node(
                            "Binds a required input member to a label of the endpoint host prefix.",
                        ),
                        sp(17819, 17892),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([
                            (
                                "selector",
                                str_node(
                                    "structure > :test(member[trait|required] > string)",
                                ),
                            ),
                        ]),
                        sp(17893, 17963),
                    ),
                ]),
                Vec::new(),
                sp(17964, 17986),
            ),
            shape(
                id("smithy.api", "http"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node(
                            "The HTTP method, URI pattern and success code of an operation.",
                        ),
                        sp(18092, 18158),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([("selector", str_node("operation"))]),
                        sp(18159, 18188),
                    ),
                ]),
                Vec::from([
                    member(
                        "method",
                        id("smithy.api", "NonEmptyString"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node("The HTTP method, e.g. \"GET\"."),
                                sp(18210, 18242),
                            ),
                            (id("smithy.api", "required"), obj([]), sp(18247, 18256)),
                        ]),
                        sp(18261, 18283),
                        sp(18269, 18283),
                    ),
                    member(
                        "uri",
                        id("smithy.api", "NonEmptyString"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node("The URI pattern; its labels bind input members."),
                                sp(18289, 18340),
                            ),
                            (id("smithy.api", "required"), obj([]), sp(18345, 18354)),
                        ]),
                        sp(18359, 18378),
                        sp(18364, 18378),
                    ),
                    member(
                        "code",
                        id("smithy.api", "Integer"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node("The HTTP status code of a successful response."),
                                sp(18384, 18434),
                            ),
                            (
                                id("smithy.api", "range"),
                                obj([("min", int(100)), ("max", int(999))]),
                                sp(18439, 18465),
                            ),
                            (id("smithy.api", "default"), int(200), sp(18486, 18489)),
                        ]),
                        sp(18470, 18489),
                        sp(18476, 18483),
                    ),
                ]),
                sp(18189, 18491),
            ),
            shape(
                id("smithy.api", "httpError"),
                ShapeKind::Simple(SimpleKind::Integer),
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node("The HTTP status code of an error."),
                        sp(18493, 18530),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([("selector", str_node("structure[trait|error]"))]),
                        sp(18531, 18573),
                    ),
                ]),
                Vec::new(),
                sp(18574, 18591),
            ),
            shape(
                id("smithy.api", "httpLabel"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node("Binds an input member to a label of the URI pattern."),
                        sp(18593, 18649),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([
                            (
                                "selector",
                                str_node(
                                    "structure > member[trait|required] :test(> :test(string, number, boolean, timestamp))",
                                ),
                            ),
                            (
                                "conflicts",
                                Node::Array(
                                    Vec::from([
                                        str_node("smithy.api#httpHeader"),
                                        str_node("smithy.api#httpQuery"),
                                        str_node("smithy.api#httpPrefixHeaders"),
                                        str_node("smithy.api#httpPayload"),
                                        str_node("smithy.api#httpResponseCode"),
                                        str_node("smithy.api#httpQueryParams"),
                                    ]),
                                ),
                            ),
                        ]),
                        sp(18650, 18867),
                    ),
                ]),
                Vec::new(),
                sp(18868, 18890),
            ),
            shape(
                id("smithy.api", "httpQuery"),
                ShapeKind::Simple(SimpleKind::String),
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node("Binds an input member to a query string parameter."),
                        sp(18892, 18946),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([
                            (
                                "selector",
                                str_node(
                                    "structure > member\n:test(> :test(string, number, boolean, timestamp),\n> list > member > :test(string, number, boolean, timestamp))",
                                ),
                            ),
                            (
                                "conflicts",
                                Node::Array(
                                    Vec::from([
                                        str_node("smithy.api#httpLabel"),
                                        str_node("smithy.api#httpHeader"),
                                        str_node("smithy.api#httpPrefixHeaders"),
                                        str_node("smithy.api#httpPayload"),
                                        str_node("smithy.api#httpResponseCode"),
                                        str_node("smithy.api#httpQueryParams"),
                                    ]),
                                ),
                            ),
                        ]),
                        sp(18947, 19238),
                    ),
                    (
                        id("smithy.api", "length"),
                        obj([("min", int(1))]),
                        sp(19239, 19254),
                    ),
                ]),
                Vec::new(),
                sp(19255, 19271),
            ),
            shape(
                id("smithy.api", "httpQueryParams"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node("Binds a map input member to the whole query string."),
                        sp(19273, 19328),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([
                            (
                                "selector",
                                str_node(
                                    "structure > member\n:test(> map > member[id|member=value] > :test(string, list > member > string))",
                                ),
                            ),
                            ("structurallyExclusive", str_node("member")),
                            (
                                "conflicts",
                                Node::Array(
                                    Vec::from([
                                        str_node("smithy.api#httpLabel"),
                                        str_node("smithy.api#httpQuery"),
                                        str_node("smithy.api#httpHeader"),
                                        str_node("smithy.api#httpPayload"),
                                        str_node("smithy.api#httpResponseCode"),
                                        str_node("smithy.api#httpPrefixHeaders"),
                                    ]),
                                ),
                            ),
                        ]),
                        sp(19329, 19609),
                    ),
                ]),
                Vec::new(),
                sp(19610, 19638),
            ),
            shape(
                id("smithy.api", "httpHeader"),
                ShapeKind::Simple(SimpleKind::String),
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node("Binds a member to an HTTP header."),
                        sp(19640, 19677),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([
                            (
                                "selector",
                                str_node(
                                    "structure > :test(member > :test(boolean, number, string, timestamp,\nlist > member > :test(boolean, number, string, timestamp)))",
                                ),
                            ),
                            (
                                "conflicts",
                                Node::Array(
                                    Vec::from([
                                        str_node("smithy.api#httpLabel"),
                                        str_node("smithy.api#httpQuery"),
                                        str_node("smithy.api#httpPrefixHeaders"),
                                        str_node("smithy.api#httpPayload"),
                                        str_node("smithy.api#httpResponseCode"),
                                        str_node("smithy.api#httpQueryParams"),
                                    ]),
                                ),
                            ),
                        ]),
                        sp(19678, 19958),
                    ),
                    (
                        id("smithy.api", "length"),
                        obj([("min", int(1))]),
                        sp(19959, 19974),
                    ),
                ]),
                Vec::new(),
                sp(19975, 19992),
            ),
            shape(
                id("smithy.api", "httpPrefixHeaders"),
                ShapeKind::Simple(SimpleKind::String),
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node(
                            "Binds a map member to all headers starting with a prefix.",
                        ),
                        sp(19994, 20055),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([
                            (
                                "selector",
                                str_node(
                                    "structure > member\n:test(> map :not([trait|sparse]) > member[id|member=value] > string)",
                                ),
                            ),
                            ("structurallyExclusive", str_node("member")),
                            (
                                "conflicts",
                                Node::Array(
                                    Vec::from([
                                        str_node("smithy.api#httpLabel"),
                                        str_node("smithy.api#httpQuery"),
                                        str_node("smithy.api#httpHeader"),
                                        str_node("smithy.api#httpPayload"),
                                        str_node("smithy.api#httpResponseCode"),
                                        str_node("smithy.api#httpQueryParams"),
                                    ]),
                                ),
                            ),
                        ]),
                        sp(20056, 20324),
                    ),
                ]),
                Vec::new(),
                sp(20325, 20349),
            ),
            shape(
                id("smithy.api", "httpPayload"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node("Binds a member to the HTTP message body."),
                        sp(20351, 20395),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([
                            ("selector", str_node("structure > member")),
                            (
                                "conflicts",
                                Node::Array(
                                    Vec::from([
                                        str_node("smithy.api#httpLabel"),
                                        str_node("smithy.api#httpQuery"),
                                        str_node("smithy.api#httpHeader"),
                                        str_node("smithy.api#httpPrefixHeaders"),
                                        str_node("smithy.api#httpResponseCode"),
                                        str_node("smithy.api#httpQueryParams"),
                                    ]),
                                ),
                            ),
                            ("structurallyExclusive", str_node("member")),
                        ]),
                        sp(20396, 20580),
                    ),
                ]),
                Vec::new(),
                sp(20581, 20605),
            ),
            shape(
                id("smithy.api", "httpResponseCode"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node("Binds an output member to the HTTP status code."),
                        sp(20607, 20658),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([
                            (
                                "selector",
                                str_node(
                                    "structure :not([trait|input]) > member :test(> integer)",
                                ),
                            ),
                            ("structurallyExclusive", str_node("member")),
                            (
                                "conflicts",
                                Node::Array(
                                    Vec::from([
                                        str_node("smithy.api#httpLabel"),
                                        str_node("smithy.api#httpQuery"),
                                        str_node("smithy.api#httpHeader"),
                                        str_node("smithy.api#httpPrefixHeaders"),
                                        str_node("smithy.api#httpPayload"),
                                        str_node("smithy.api#httpQueryParams"),
                                    ]),
                                ),
                            ),
                        ]),
                        sp(20659, 20875),
                    ),
                ]),
                Vec::new(),
                sp(20876, 20905),
            ),
            shape(
                id("smithy.api", "cors"),
                ShapeKind::Structure,
                traits([
                    (
                        id("smithy.api", "documentation"),
                        str_node("Cross-origin resource sharing settings of a service."),
                        sp(20907, 20963),
                    ),
                    (
                        id("smithy.api", "trait"),
                        obj([("selector", str_node("service"))]),
                        sp(20964, 20991),
                    ),
                ]),
                Vec::from([
                    member(
                        "origin",
                        id("smithy.api", "NonEmptyString"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node("Origin allowed to make browser requests."),
                                sp(21013, 21057),
                            ),
                            (
                                id("smithy.api", "default"),
                                str_node("*"),
                                sp(21087, 21090),
                            ),
                        ]),
                        sp(21062, 21090),
                        sp(21070, 21084),
                    ),
                    member(
                        "maxAge",
                        id("smithy.api", "Integer"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node(
                                    "Seconds a browser may cache a preflight response (-1: no caching).",
                                ),
                                sp(21096, 21166),
                            ),
                            (id("smithy.api", "default"), int(600), sp(21189, 21192)),
                        ]),
                        sp(21171, 21192),
                        sp(21179, 21186),
                    ),
                    member(
                        "additionalAllowedHeaders",
                        id("smithy.api", "NonEmptyStringList"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node("Extra headers allowed in requests."),
                                sp(21198, 21236),
                            ),
                        ]),
                        sp(21241, 21285),
                        sp(21267, 21285),
                    ),
                    member(
                        "additionalExposedHeaders",
                        id("smithy.api", "NonEmptyStringList"),
                        traits([
                            (
                                id("smithy.api", "documentation"),
                                str_node("Extra headers exposed to browser scripts."),
                                sp(21291, 21336),
                            ),
                        ]),
                        sp(21341, 21385),
                        sp(21367, 21385),
                    ),
                ]),
                sp(20992, 21387),
            ),
            shape(
                id("smithy.api", "NonEmptyString"),
                ShapeKind::Simple(SimpleKind::String),
                traits([
                    (id("smithy.api", "private"), obj([]), sp(21525, 21533)),
                    (
                        id("smithy.api", "length"),
                        obj([("min", int(1))]),
                        sp(21534, 21549),
                    ),
                ]),
                Vec::new(),
                sp(21550, 21571),
            ),
            shape(
                id("smithy.api", "NonEmptyStringList"),
                ShapeKind::List,
                traits([(id("smithy.api", "private"), obj([]), sp(21573, 21581))]),
                Vec::from([
                    member(
                        "member",
                        id("smithy.api", "NonEmptyString"),
                        Traits::default(),
                        sp(21612, 21634),
                        sp(21620, 21634),
                    ),
                ]),
                sp(21582, 21636),
            ),
        ]),
    }
}
