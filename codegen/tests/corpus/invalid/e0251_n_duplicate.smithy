// wasmCloud: field numbers are unique within a structure.
// expect: E0251 13:5
namespace org.wasmcloud.model

@trait(selector: "structure > member")
@range(min: 0)
short n

structure Point {
    @n(0)
    x: Integer

    @n(0)
    y: Integer
}
