//! The public face of [`Inventory`]: its limits, and the three reports of
//! an inventory that has seen nothing yet. The recording itself, its
//! concurrency, its cap and its allocations are tested where the table
//! lives (`src/inventory/`).

use tower_cookie_consent::{Inventory, InventoryEntry, InventorySnapshot, Policy, Sighting};

#[test]
fn capacity_defaults_to_1024_and_is_bounded() {
    assert_eq!(Inventory::DEFAULT_CAPACITY, 1024);
    assert_eq!(Inventory::new().capacity(), 1024);
    assert_eq!(Inventory::default().capacity(), 1024);
    assert_eq!(Inventory::with_capacity(0).capacity(), 0);
    assert_eq!(Inventory::with_capacity(5000).capacity(), 5000);
    assert_eq!(
        Inventory::with_capacity(usize::MAX).capacity(),
        Inventory::MAX_CAPACITY
    );
    assert_eq!(Inventory::MAX_NAME_LEN, 256);
    assert_eq!(Inventory::MAX_PATH_LEN, 128);
}

#[test]
fn an_empty_inventory_reports_nothing() {
    let inventory = Inventory::with_capacity(10);
    let snapshot = inventory.snapshot();
    assert!(snapshot.is_empty());
    assert_eq!(
        (snapshot.len(), snapshot.overflow(), snapshot.capacity()),
        (0, 0, 10)
    );
    assert!(snapshot.get("_ga").is_none());
    assert_eq!(snapshot.into_iter().count(), 0);

    let json: serde_json::Value = serde_json::from_str(&inventory.to_json()).expect("JSON");
    assert_eq!(
        json,
        serde_json::json!({"capacity": 10, "overflow": 0, "cookies": []})
    );

    assert_eq!(
        inventory.to_markdown(),
        "| Name | Kept | Stripped | First seen | Last seen | Platform | Category | Description |\n\
         | --- | ---: | ---: | --- | --- | --- | --- | --- |\n"
    );

    let fragment = inventory.suggest_policy();
    let policy: Policy = toml::from_str(&fragment).expect("a policy configuration");
    assert_eq!(policy.categories().count(), 0);
    assert!(fragment
        .lines()
        .all(|line| line.is_empty() || line.starts_with('#')));
}

#[test]
fn the_types_can_be_shared_across_threads() {
    fn assert_traits<T: Clone + std::fmt::Debug + Send + Sync + 'static>() {}
    assert_traits::<Inventory>();
    assert_traits::<InventorySnapshot>();
    assert_traits::<InventoryEntry>();
    assert_traits::<Sighting>();
}
