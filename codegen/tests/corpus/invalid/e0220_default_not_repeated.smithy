// A member targeting a shape with @default must repeat the default.
// expect: E0220 10:5
$version: "2"
namespace example.invalid

@default(0)
integer Count

structure Totals {
    count: Count
}
