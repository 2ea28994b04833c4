//! Not a test: what share of the CPU of a sign-in each server uses (`bench/real-sign-in.sh` runs
//! it; it is always ignored otherwise). Reads each process's user+system time from /proc before
//! and after a number of sign-ins.

use crate::Env;
use crate::browser::{AuthRequest, Person};
use crate::flows::{SCOPES, client_and_customer, sign_in};
use crate::oauth::exchange;
use crate::stack::{Stack, Subject};

/// User + system CPU time of a process, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc stat");
    // The fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')').expect("stat format") + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime")
}

fn snapshot(stack: &Stack) -> [u64; 3] {
    [&stack.bridge_server, &stack.hydra, &stack.kratos]
        .map(|s| cpu_ticks(s.pid().expect("running")))
}

fn report(what: &str, n: u32, before: [u64; 3], after: [u64; 3]) {
    let used: Vec<u64> = (0..3).map(|i| after[i] - before[i]).collect();
    let total: u64 = used.iter().sum::<u64>().max(1);
    let tick_ms = 1000.0 / 100.0; // USER_HZ is 100 on Linux
    println!("{what}: {n} sign-ins");
    for (name, ticks) in ["bridge", "hydra", "kratos"].iter().zip(&used) {
        println!(
            "  {name:7} {:6.2} ms CPU per sign-in  {:5.1}%",
            *ticks as f64 * tick_ms / f64::from(n),
            100.0 * *ticks as f64 / total as f64
        );
    }
}

pub async fn cpu_share_of_a_sign_in(env: &Env) {
    let n: u32 = std::env::var("SIGN_INS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let stack = env.own_stack(Subject::ExternalIdOrId).await;
    let mut people = Vec::new();
    for i in 0..n {
        people.push(client_and_customer(&stack, &format!("cpu{i}")).await);
    }
    // One sign-in first, not counted: Hydra makes its signing keys on first use.
    let (client, email, _) = client_and_customer(&stack, "warm-up").await;
    sign_in(
        &mut Person::new(&stack),
        &AuthRequest::new(&client, SCOPES),
        &email,
    )
    .await;
    // First sign-ins: Kratos's password login, the consent page, the token exchange.
    let before = snapshot(&stack);
    let mut persons = Vec::new();
    for (client, email, _) in &people {
        let mut person = Person::new(&stack);
        sign_in(&mut person, &AuthRequest::new(client, SCOPES), email).await;
        persons.push(person);
    }
    report(
        "full sign-in (password login, consent page, tokens)",
        n,
        before,
        snapshot(&stack),
    );
    // Single sign-on: Kratos session alive, consent remembered.
    let before = snapshot(&stack);
    for (person, (client, _, _)) in persons.iter_mut().zip(&people) {
        let request = AuthRequest::new(client, SCOPES);
        let callback = person.authorize(&request).await.away();
        exchange(&stack, &request, &callback).await;
    }
    report(
        "single sign-on (no login form, no consent page, tokens)",
        n,
        before,
        snapshot(&stack),
    );
}
