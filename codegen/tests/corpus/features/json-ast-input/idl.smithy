$version: "2.0"

// IDL and JSON AST files assemble into one model and refer to each other.
namespace example.example

structure FromIdl {
    list: example.json#List
}
