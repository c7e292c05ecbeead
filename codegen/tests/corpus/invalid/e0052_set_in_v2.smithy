// `set` is IDL 1.0 only.
// expect: E0052 5:1
$version: "2"
namespace example.invalid
set Names {
    member: String
}
