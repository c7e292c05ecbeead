// Only one member may be the idempotency token.
// expect: E0213 10:5
$version: "2"
namespace example.invalid

structure CreateInput {
    @idempotencyToken
    token: String

    @idempotencyToken
    otherToken: String
}
