// An operation mixin may not have an input or output (other than Unit).
// expect: E0232 6:1
$version: "2.0"
namespace example.invalid
@mixin
operation Base {
    input := {}
}
