//! Edits of the scenario document, as plain functions on [`Scenario`]:
//! the command handler calls them, the tests check them without a window.

use eframe::egui::{Pos2, Vec2};

use crate::scenario::{
    CacheSpec, ClientSpec, DatabaseSpec, EdgeSpec, FaultSpec, LoadBalancerSpec, NodeKind, NodeSpec, QueueSpec,
    Scenario, ServiceSpec,
};

/// The components of the palette, in the order a request meets them.
pub const PALETTE: [PaletteItem; 6] = [
    PaletteItem::Client,
    PaletteItem::LoadBalancer,
    PaletteItem::Service,
    PaletteItem::Cache,
    PaletteItem::Queue,
    PaletteItem::Database,
];

/// A component one can add from the palette.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaletteItem {
    Client,
    LoadBalancer,
    Service,
    Cache,
    Queue,
    Database,
}

impl PaletteItem {
    /// A new node of this kind with everyday defaults.
    pub fn kind(self) -> NodeKind {
        match self {
            PaletteItem::Client => NodeKind::Client(ClientSpec::default()),
            PaletteItem::LoadBalancer => NodeKind::LoadBalancer(LoadBalancerSpec::default()),
            PaletteItem::Service => NodeKind::Service(ServiceSpec::default()),
            PaletteItem::Cache => NodeKind::Cache(CacheSpec::default()),
            PaletteItem::Queue => NodeKind::Queue(QueueSpec::default()),
            PaletteItem::Database => NodeKind::Database(DatabaseSpec::default()),
        }
    }

    pub fn label(self) -> &'static str {
        self.kind().label()
    }

    /// One sentence on what it is in a real system.
    pub fn blurb(self) -> &'static str {
        match self {
            PaletteItem::Client => {
                "Users or another system sending requests: a rate, or a number of users who wait and think."
            }
            PaletteItem::LoadBalancer => {
                "Spreads requests over its targets and stops sending to dead ones after a health check."
            }
            PaletteItem::Service => "An app server: a pool of worker threads in front of a bounded waiting queue.",
            PaletteItem::Cache => {
                "Answers repeated reads from memory; a miss goes to the node behind it and fills the cache."
            }
            PaletteItem::Queue => "A message broker: acknowledges at once, consumers deliver at their own pace.",
            PaletteItem::Database => "A connection pool in front of query execution, with optional read replicas.",
        }
    }

    /// The prefix of generated node ids.
    fn id_prefix(self) -> &'static str {
        match self {
            PaletteItem::Client => "client",
            PaletteItem::LoadBalancer => "lb",
            PaletteItem::Service => "service",
            PaletteItem::Cache => "cache",
            PaletteItem::Queue => "queue",
            PaletteItem::Database => "db",
        }
    }

    pub fn of_kind(kind: &NodeKind) -> PaletteItem {
        match kind {
            NodeKind::Client(_) => PaletteItem::Client,
            NodeKind::LoadBalancer(_) => PaletteItem::LoadBalancer,
            NodeKind::Service(_) => PaletteItem::Service,
            NodeKind::Cache(_) => PaletteItem::Cache,
            NodeKind::Queue(_) => PaletteItem::Queue,
            NodeKind::Database(_) => PaletteItem::Database,
        }
    }
}

/// The first id `prefix-N` not used yet.
pub fn fresh_id(scenario: &Scenario, kind: &NodeKind) -> String {
    let prefix = PaletteItem::of_kind(kind).id_prefix();
    // One more number than there are nodes: one of them is free.
    (1..=scenario.nodes.len() + 1)
        .map(|n| format!("{prefix}-{n}"))
        .find(|id| scenario.node(id).is_none())
        .unwrap_or_else(|| prefix.into())
}

/// Adds a node at `pos`, returns its id.
pub fn add_node(scenario: &mut Scenario, kind: NodeKind, pos_in_canvas: Pos2) -> String {
    let id = fresh_id(scenario, &kind);
    scenario.nodes.push(NodeSpec {
        id: id.clone(),
        pos: (pos_in_canvas.x, pos_in_canvas.y),
        zone: None,
        region: None,
        kind,
    });
    id
}

pub fn move_nodes(scenario: &mut Scenario, ids: &[String], delta: Vec2) {
    for n in scenario.nodes.iter_mut().filter(|n| ids.contains(&n.id)) {
        n.pos.0 += delta.x;
        n.pos.1 += delta.y;
    }
}

/// Why an edge cannot be drawn, in words for the user.
pub fn connect_problem(scenario: &Scenario, from: &str, to: &str) -> Option<String> {
    let to_node = scenario.node(to)?;
    scenario.node(from)?;
    if from == to {
        return Some("a node cannot call itself".into());
    }
    if !to_node.kind.accepts_requests() {
        return Some(format!("\"{to}\" is a client: clients send requests but do not receive them"));
    }
    if scenario.edges.iter().any(|e| e.from == from && e.to == to) {
        return Some(format!("\"{from}\" already calls \"{to}\""));
    }
    None
}

/// Adds the edge `from → to` if it makes sense; `Err` says why not.
pub fn connect(scenario: &mut Scenario, from: &str, to: &str) -> Result<(), String> {
    if scenario.node(from).is_none() || scenario.node(to).is_none() {
        return Err("both ends must be nodes".into());
    }
    if let Some(why) = connect_problem(scenario, from, to) {
        return Err(why);
    }
    scenario.edges.push(EdgeSpec::new(from, to));
    Ok(())
}

/// Removes nodes with their edges and the faults that name them.
pub fn delete_nodes(scenario: &mut Scenario, ids: &[String]) {
    scenario.nodes.retain(|n| !ids.contains(&n.id));
    scenario.edges.retain(|e| !ids.contains(&e.from) && !ids.contains(&e.to));
    scenario.faults.retain(|f| f.node_refs().iter().all(|r| !ids.iter().any(|id| id == r)));
}

pub fn delete_edge(scenario: &mut Scenario, index: usize) {
    if index < scenario.edges.len() {
        let e = scenario.edges.remove(index);
        scenario
            .faults
            .retain(|f| !matches!(f, FaultSpec::Partition { from, to, .. } | FaultSpec::Latency { from, to, .. } if *from == e.from && *to == e.to));
    }
}

/// Renames a node everywhere it is referred to. `Err` says why not.
pub fn rename_node(scenario: &mut Scenario, index: usize, new_id: &str) -> Result<(), String> {
    let new_id = new_id.trim();
    if new_id.is_empty() {
        return Err("a node needs a name".into());
    }
    let Some(old) = scenario.nodes.get(index).map(|n| n.id.clone()) else { return Err("no such node".into()) };
    if old == new_id {
        return Ok(());
    }
    if scenario.node(new_id).is_some() {
        return Err(format!("\"{new_id}\" is already taken"));
    }
    scenario.nodes[index].id = new_id.to_string();
    for e in &mut scenario.edges {
        if e.from == old {
            e.from = new_id.to_string();
        }
        if e.to == old {
            e.to = new_id.to_string();
        }
    }
    for f in &mut scenario.faults {
        rename_in_fault(f, &old, new_id);
    }
    if let Some(price) = scenario.pricing.per_hour_of.remove(&old) {
        scenario.pricing.per_hour_of.insert(new_id.to_string(), price);
    }
    // The challenge follows the node it names: a renamed client keeps its
    // load and goals, a renamed replica its scripted crash.
    if let Some(ch) = &mut scenario.challenge {
        let fix = |s: &mut String| {
            if *s == old {
                *s = new_id.to_string();
            }
        };
        ch.script.iter_mut().for_each(|f| rename_in_fault(f, &old, new_id));
        ch.load.iter_mut().for_each(|l| fix(&mut l.client));
        ch.given.iter_mut().for_each(|g| fix(&mut g.id));
        for goal in &mut ch.goals {
            if let crate::scenario::Goal::Latency { client: Some(c), .. }
            | crate::scenario::Goal::ErrorRate { client: Some(c), .. }
            | crate::scenario::Goal::Degraded { client: Some(c), .. }
            | crate::scenario::Goal::Throughput { client: Some(c), .. } = goal
            {
                fix(c);
            }
        }
    }
    Ok(())
}

fn rename_in_fault(f: &mut FaultSpec, old: &str, new: &str) {
    let fix = |s: &mut String| {
        if s == old {
            *s = new.to_string();
        }
    };
    match f {
        FaultSpec::Crash { node, .. }
        | FaultSpec::Slow { node, .. }
        | FaultSpec::Errors { node, .. }
        | FaultSpec::RandomCrashes { node, .. }
        | FaultSpec::Flush { node, .. }
        | FaultSpec::Spike { node, .. }
        | FaultSpec::Pause { node, .. } => fix(node),
        FaultSpec::Partition { from, to, .. } | FaultSpec::Latency { from, to, .. } => {
            fix(from);
            fix(to);
        }
        // They name a zone or a region, not a node.
        FaultSpec::ZoneOutage { .. } | FaultSpec::RegionOutage { .. } => {}
    }
}

/// Whether two scenarios build the same simulation apart from parameters
/// that [`crate::sim::Simulation::update_node`] and `update_edge` can change
/// live: same nodes (ids and order), same edges (ends and order), same
/// faults, seed and windows.
pub fn same_structure(a: &Scenario, b: &Scenario) -> bool {
    a.nodes.len() == b.nodes.len()
        && a.nodes.iter().zip(&b.nodes).all(|(x, y)| x.id == y.id && x.zone == y.zone && x.region == y.region)
        && a.regions == b.regions
        && a.network == b.network
        && a.edges.len() == b.edges.len()
        && a.edges.iter().zip(&b.edges).all(|(x, y)| x.from == y.from && x.to == y.to)
        && a.faults == b.faults
        && a.seed == b.seed
        && a.window_s == b.window_s
        && a.warmup_s == b.warmup_s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::default_scenario;
    use eframe::egui::{pos2, vec2};

    #[test]
    fn new_nodes_get_fresh_ids() {
        let mut s = Scenario::default();
        let a = add_node(&mut s, PaletteItem::Service.kind(), pos2(0.0, 0.0));
        let b = add_node(&mut s, PaletteItem::Service.kind(), pos2(0.0, 0.0));
        assert_eq!((a.as_str(), b.as_str()), ("service-1", "service-2"));
    }

    #[test]
    fn connecting_refuses_what_cannot_work() {
        let mut s = default_scenario();
        assert!(connect(&mut s, "app-1", "app-1").is_err());
        assert!(connect(&mut s, "lb", "users").expect_err("must be refused").contains("client"));
        assert!(connect(&mut s, "lb", "app-1").expect_err("must be refused").contains("already"));
        assert!(connect(&mut s, "nowhere", "db").is_err());
        let before = s.edges.len();
        connect(&mut s, "app-1", "db").expect("fine");
        assert_eq!(s.edges.len(), before + 1);
    }

    #[test]
    fn deleting_a_node_takes_its_edges_and_faults() {
        let mut s = default_scenario();
        s.faults.push(FaultSpec::Crash { node: "cache".into(), at_s: 1.0, restore_s: None });
        delete_nodes(&mut s, &["cache".to_string()]);
        assert!(s.node("cache").is_none());
        assert!(s.edges.iter().all(|e| e.from != "cache" && e.to != "cache"));
        assert!(s.faults.is_empty());
    }

    #[test]
    fn renaming_follows_the_references() {
        let mut s = default_scenario();
        let i = s.node_index("db").expect("db");
        s.faults.push(FaultSpec::Crash { node: "db".into(), at_s: 1.0, restore_s: None });
        rename_node(&mut s, i, "postgres").expect("free name");
        assert!(s.edges.iter().any(|e| e.to == "postgres"));
        assert!(matches!(&s.faults[0], FaultSpec::Crash { node, .. } if node == "postgres"));
        assert!(rename_node(&mut s, i, "cache").is_err());
        assert!(rename_node(&mut s, i, "  ").is_err());
    }

    #[test]
    fn moving_and_parameters_keep_the_structure() {
        let a = default_scenario();
        let mut b = a.clone();
        move_nodes(&mut b, &["db".to_string()], vec2(10.0, 5.0));
        if let NodeKind::Service(s) = &mut b.nodes[2].kind {
            s.workers = 99;
        }
        assert!(same_structure(&a, &b));
        b.seed += 1;
        assert!(!same_structure(&a, &b));
        let mut c = a.clone();
        connect(&mut c, "app-1", "db").expect("fine");
        assert!(!same_structure(&a, &c));
    }
}
