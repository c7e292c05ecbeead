// @http requires both `method` and `uri`.
// expect: E0209 6:1
$version: "2"
namespace example.invalid

@http(method: "GET")
operation GetThing {}
