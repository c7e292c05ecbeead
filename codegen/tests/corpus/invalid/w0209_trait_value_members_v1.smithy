// IDL 1.0: @enum entries written as published wasmCloud interfaces write
// them (a `description`, no `value`) are warnings; E0209 / E0210 in 2.0.
// expect: W0209 7:1
// expect: W0209 7:22
namespace example.lenient

@enum([{ name: "db", description: "database error" }])
string ErrorCode
