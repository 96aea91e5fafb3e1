use archsim::scenario::bundled;
use archsim::sim::{SimTime, Simulation};

#[test]
fn smoke() {
    for b in archsim::scenario::BUNDLED {
        let s = b.load().unwrap();
        let mut sim = Simulation::new(&s).unwrap();
        let t = std::time::Instant::now();
        sim.run_until(SimTime::from_secs(s.duration_s));
        let r = sim.report();
        println!("== {} ({:?}) events {}", b.file_name, t.elapsed(), r.events);
        let e = &r.end_to_end;
        println!(
            "e2e arr {} ok {} failed {} {:?} p50 {:.2} p99 {:.2} mean {:.2} thr {:.1}",
            e.arrivals,
            e.ok,
            e.failed,
            e.failures,
            e.latency.p50_ms,
            e.latency.p99_ms,
            e.latency.mean_ms,
            e.throughput_rps
        );
        for n in &r.nodes {
            let s = &n.stats;
            println!(
                "  {:10} arr {:7} ok {:7} fail {:6} util {:?} q {:.1} p99 {:.2} hit {:?} wait {:.2} lat_mean {:.2}",
                n.id,
                s.arrivals,
                s.ok,
                s.failed,
                s.utilisation.map(|u| (u * 100.0).round()),
                s.mean_queue_len,
                s.latency.p99_ms,
                s.hit_ratio,
                s.mean_wait_ms,
                s.latency.mean_ms
            );
        }
        println!("  bottleneck: {:?}", r.bottleneck);
    }
    let _ = bundled("x");
}
