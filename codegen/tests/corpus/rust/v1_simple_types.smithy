// Every simple type, required and optional, and the unsigned aliases.
metadata package = [{ namespace: "weld.test.simple", crate: "snap-simple-types" }]

namespace weld.test.simple

use org.wasmcloud.model#U8
use org.wasmcloud.model#U16
use org.wasmcloud.model#U32
use org.wasmcloud.model#U64
use org.wasmcloud.model#I8
use org.wasmcloud.model#I64
use org.wasmcloud.model#F32
use org.wasmcloud.model#unsignedInt

/// Every simple type, each required.
structure Required {
    @required blob: Blob,
    @required flag: Boolean,
    @required text: String,
    @required tiny: Byte,
    @required small: Short,
    @required int: Integer,
    @required big: Long,
    @required real: Float,
    @required double: Double,
    @required when: Timestamp,
    @required any: Document,
}

/// Optional members: IDL 1.0 keeps the boxed-less prelude numbers and
/// booleans plain (with a serde default), everything else is an Option.
structure Optional {
    blob: Blob,
    flag: Boolean,
    text: String,
    int: Integer,
    when: Timestamp,
    any: Document,
    @box
    boxedInt: Integer,
    u8: U8,
    counter: Counter,
}

/// Unsigned and signed aliases.
structure Widths {
    @required a: U8,
    @required b: U16,
    @required c: U32,
    @required d: U64,
    @required e: I8,
    @required f: I64,
    @required g: F32,
    @required h: Counter,
}

/// A simple shape alias with @unsignedInt.
@unsignedInt
long Counter

/// A plain string alias.
string Name
