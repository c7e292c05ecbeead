// wasmCloud: field numbers are non-negative.
// expect: E0252 10:5
namespace org.wasmcloud.model

@trait(selector: "structure > member")
@range(min: 0)
short n

structure Point {
    @n(-1)
    x: Integer
}
