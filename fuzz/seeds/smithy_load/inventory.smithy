$version: "2"

// An example interface in Smithy IDL 2.0, written to exercise the weld
// generators: enum and intEnum shapes, default values, mixins, inline
// operation input/output, target elision from a resource, a union with
// field numbers, timestamps and documents. It is not a wasmCloud contract.

metadata package = [
    {
        namespace: "weld.example.inventory",
        crate: "weld-example-inventory",
        py_module: "weld_example_inventory",
        doc: "Inventory: an example interface written in Smithy IDL 2.0",
    }
]

namespace weld.example.inventory

use org.wasmcloud.model#U32
use org.wasmcloud.model#n
use org.wasmcloud.model#wasmbus

/// Keeps track of the items a warehouse holds.
///
/// Quantities only change through `AdjustStock`, so every change is
/// recorded with a reason.
@wasmbus(
    contractId: "weld:example:inventory"
    providerReceive: true
)
service Inventory {
    version: "0.1.0"
    operations: [
        GetItem
        PutItem
        AdjustStock
        ListItems
    ]
}

/// The item behind a stock-keeping unit. Only its identifier is modelled;
/// `ItemRef` borrows it.
resource ItemResource {
    identifiers: { sku: Sku }
}

/// A stock-keeping unit: upper-case letters, digits and dashes.
@pattern("^[A-Z0-9-]+$")
@length(min: 1, max: 32)
string Sku

/// Whether an item can be ordered.
enum StockStatus {
    /// Available now.
    IN_STOCK = "in-stock"

    /// Sold out; more is on the way.
    BACKORDERED = "backordered"

    /// Will not be restocked.
    DISCONTINUED = "discontinued"
}

/// How urgently a restock is needed; larger is more urgent.
intEnum Priority {
    /// Restock when convenient.
    LOW = 1

    /// Restock in the normal cycle.
    NORMAL = 5

    /// Restock now.
    URGENT = 10
}

/// Fields every stored record carries.
@mixin
structure Audited {
    /// When the record was created.
    createdAt: Timestamp

    /// Who last changed the record.
    updatedBy: String = "system"
}

/// An item and its stock.
structure Item with [Audited] {
    /// The item's unit.
    @required
    sku: Sku

    /// Display name.
    @required
    name: String

    /// Units on hand.
    quantity: U32 = 0

    /// Ordering status.
    status: StockStatus = "in-stock"

    /// Restock urgency.
    priority: Priority = 5

    /// Free text. It is shown verbatim, so `<b>` here is text, not markup.
    description: String

    /// Arbitrary structured attributes (size, colour, ...).
    attributes: Document

    /// Labels for grouping.
    tags: TagList = []
}

/// Short labels.
list TagList {
    member: String
}

/// Identifies an item: the SKU's target is taken from `ItemResource`.
structure ItemRef for ItemResource {
    /// The item's unit.
    @required
    $sku
}

/// Why a quantity changed.
union Adjustment {
    /// Goods arrived: the number of units received.
    @n(0)
    received: U32

    /// Goods left: the number of units shipped.
    @n(1)
    shipped: U32

    /// A stock count found a different number: the counted quantity.
    @n(2)
    counted: U32

    /// The item was written off, with an explanation.
    @n(3)
    writtenOff: String
}

/// Returned when the SKU is unknown.
@error("client")
structure ItemNotFound {
    /// The SKU that was looked up.
    @required
    sku: Sku

    /// Human-readable detail.
    message: String
}

/// Reads one item.
@readonly
operation GetItem {
    input := {
        /// The item to read.
        @required
        sku: Sku
    }
    output := {
        /// The item as stored.
        @required
        item: Item
    }
    errors: [ItemNotFound]
}

/// Creates or replaces an item.
@idempotent
operation PutItem {
    input := {
        /// The complete item to store.
        @required
        item: Item
    }
}

/// Applies a stock movement and returns the new quantity.
operation AdjustStock {
    input := with [Audited] {
        /// The item whose stock moves.
        @required
        item: ItemRef

        /// What happened.
        @required
        adjustment: Adjustment
    }
    output := {
        /// Units on hand after the movement.
        @required
        quantity: U32

        /// Ordering status after the movement.
        @required
        status: StockStatus
    }
    errors: [ItemNotFound]
}

/// Lists items, a page at a time.
@readonly
@paginated(inputToken: "nextToken", outputToken: "nextToken", items: "items", pageSize: "pageSize")
operation ListItems {
    input := {
        /// Only items with this status.
        status: StockStatus

        /// Page size.
        pageSize: Integer = 50

        /// Token from the previous page.
        nextToken: String
    }
    output := {
        /// This page of items.
        @required
        items: ItemList

        /// Token for the next page; absent on the last page.
        nextToken: String
    }
}

/// Several items.
list ItemList {
    member: Item
}
