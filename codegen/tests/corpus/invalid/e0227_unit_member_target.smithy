// Only union members may target Unit.
// expect: E0227 7:14
$version: "2"
namespace example.invalid

structure Holder {
    nothing: Unit
}
