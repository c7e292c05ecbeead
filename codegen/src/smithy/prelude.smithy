$version: "2.0"

namespace smithy.api

// Minimal placeholder: the full prelude (every prelude shape and trait
// definition) replaces this.
string String
blob Blob
boolean Boolean
byte Byte
short Short
integer Integer
long Long
float Float
double Double
bigInteger BigInteger
bigDecimal BigDecimal
timestamp Timestamp
document Document

@unitType
structure Unit {}

@trait
structure unitType {}

@trait
string documentation

@trait(selector: "structure > member")
structure required {}
