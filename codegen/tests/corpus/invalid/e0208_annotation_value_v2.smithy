// IDL 2.0: a string-shaped trait applied without a value is a type error
// (a warning only in IDL 1.0, see w0208_annotation_value_v1.smithy).
// expect: E0208 10:1
$version: "2"
namespace example.strict

@trait(selector: "string")
string notBlank

@notBlank
string ContractId
