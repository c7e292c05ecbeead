// Traits declared the way upstream's wasmcloud-model.smithy declares
// `unsignedInt` and `nonEmptyString`.
// expect: W0204 10:8
// expect: W0207 11:1
// expect: W0208 18:1

namespace org.example.traits

/// Marks a number as unsigned (a structure carrying @range, as upstream has)
@trait(selector: "long,integer,short,byte")
@range(min: 0)
structure unsigned { }

@trait(selector: "string")
@length(min: 1)
string notEmpty

@notEmpty
string Label
