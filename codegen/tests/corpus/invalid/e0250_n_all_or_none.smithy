// wasmCloud: @n must be on every member of a structure or on none.
// expect: E0250 13:5
namespace org.wasmcloud.model

@trait(selector: "structure > member")
@range(min: 0)
short n

structure Point {
    @n(0)
    x: Integer

    y: Integer
}
