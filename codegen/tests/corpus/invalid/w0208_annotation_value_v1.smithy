// IDL 1.0: a trait whose shape is a string applied without a value is a
// warning (E0208 in IDL 2.0), as wasmCloud's model applies @nonEmptyString.
// expect: W0208 10:1
$version: "1.0"
namespace example.lenient

@trait(selector: "string")
string notBlank

@notBlank
string ContractId
