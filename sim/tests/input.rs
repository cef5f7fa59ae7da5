//! Input populations (`kind = "input"`): their TOML form, the reference's
//! forced spikes (`Engine::set_input`) and the input file
//! (`spikefab_sim::input`).

use spikefab_sim::engine::Engine;
use spikefab_sim::input::InputSpikes;
use spikefab_sim::load::load_str;
use spikefab_sim::net::{Population, PopulationKind};
use spikefab_sim::Network;

/// 5 input neurons onto 7 LIF neurons, all to all: three input spikes in
/// one step make every target spike (1 ms later), one does not.
const NET: &str = r#"
[simulation]
dt_ms = 0.1
duration_ms = 20.0
seed = 3

[[population]]
name = "stim"
size = 5
kind = "input"

[[population]]
name = "out"
size = 7
v_init = { kind = "constant", v_mv = -65.0 }
[population.neuron]
tau_m_ms = 10.0
c_m_pf = 250.0
e_l_mv = -65.0
v_th_mv = -50.0
v_reset_mv = -65.0
t_ref_ms = 2.0
tau_syn_ex_ms = 0.5
tau_syn_in_ms = 0.5

[[projection]]
name = "stim->out"
source = "stim"
target = "out"
rule = { kind = "pairwise_bernoulli", p = 1.0 }
weight = { mean_pa = 3000.0 }
delay = { mean_ms = 1.0 }
"#;

fn net() -> Network {
    load_str(NET, "net.toml").unwrap()
}

fn run(e: &mut Engine, input: &InputSpikes, steps: u64) -> Vec<(u64, u32)> {
    let mut v = Vec::new();
    for t in 0..steps {
        e.set_input(input.at(t)).unwrap();
        v.extend(e.step().iter().map(|&n| (t, n)));
    }
    v
}

#[test]
fn an_input_population_reads_back_without_neuron_parameters() {
    let n = net();
    assert_eq!(n.populations[0].kind, PopulationKind::Input);
    assert_eq!(n.populations[0], Population::input("stim", 5));
    let text = n.to_toml().unwrap();
    assert!(!text.contains("v_th_mv = 15"), "{text}");
    assert_eq!(load_str(&text, "again.toml").unwrap(), n);
}

#[test]
fn input_neurons_spike_exactly_when_forced_and_drive_their_targets() {
    let n = net();
    let input =
        InputSpikes::parse("10 stim 0\n10 stim 1\n10 stim 2\n40 stim 4\n", "in", &n).unwrap();
    let mut e = Engine::from_network(&n).unwrap();
    let got = run(&mut e, &input, 100);
    let inputs: Vec<(u64, u32)> = got.iter().copied().filter(|&(_, n)| n < 5).collect();
    assert_eq!(inputs, vec![(10, 0), (10, 1), (10, 2), (40, 4)]);
    let out: Vec<u64> = got
        .iter()
        .filter(|&&(_, n)| n >= 5)
        .map(|&(t, _)| t)
        .collect();
    assert_eq!(
        out.len(),
        7,
        "three input spikes make each target spike once: {got:?}"
    );
    assert!(out.iter().all(|&t| t > 10 + 10 && t < 40), "{got:?}");
    // without input: nothing at all
    let mut quiet = Engine::from_network(&n).unwrap();
    assert!(run(&mut quiet, &InputSpikes::default(), 100).is_empty());
}

#[test]
fn a_forced_neuron_of_another_population_is_refused_and_nothing_is_set() {
    let n = net();
    let mut e = Engine::from_network(&n).unwrap();
    let err = e.set_input(&[1, 6]).unwrap_err();
    assert_eq!(err.neuron, 6);
    assert!(err.to_string().contains("\"out\""), "{err}");
    let err = e.set_input(&[12]).unwrap_err();
    assert!(err.to_string().contains("does not exist"), "{err}");
    // the refused calls set nothing: the step is silent
    assert!(e.step().is_empty());
}

#[test]
fn input_files_name_the_line_and_what_is_wrong() {
    let n = net();
    for (text, line, needle) in [
        ("# c\n\n3 out 1\n", 3, "not an input population"),
        ("3 stim 5\n", 1, "neurons 0 ..= 4"),
        ("3 stim\n", 1, "got 2 fields"),
        ("x stim 1\n", 1, "whole number"),
        ("-1 stim 1\n", 1, "whole number"),
        ("1 nope 1\n", 1, "input populations: \"stim\""),
        ("1 stim 1 2\n", 1, "got 4 fields"),
    ] {
        let e = InputSpikes::parse(text, "in.txt", &n).unwrap_err();
        assert_eq!(e.line, line, "{text:?}: {e}");
        assert!(
            e.to_string().starts_with(&format!("in.txt:{line}: ")),
            "{e}"
        );
        assert!(e.to_string().contains(needle), "{text:?}: {e}");
    }
    let ok =
        InputSpikes::parse("7 stim 2 # x\n  7 stim 2\n2 stim 4\n7 stim 0\n", "in", &n).unwrap();
    assert_eq!(ok.at(7), &[0, 2]);
    assert_eq!(ok.at(2), &[4]);
    assert_eq!(ok.len(), 3);
    assert_eq!(ok.last_step(), Some(7));
}

#[test]
fn input_populations_take_no_parameters_and_no_synapses() {
    let with = |extra: &str| NET.replace("kind = \"input\"", &format!("kind = \"input\"\n{extra}"));
    for (extra, needle) in [
        (
            "v_init = { kind = \"constant\", v_mv = 0.0 }",
            "takes no `v_init`",
        ),
        ("background = { dc_pa = 5.0 }", "takes no `background`"),
    ] {
        let e = load_str(&with(extra), "net.toml").unwrap_err().to_string();
        assert!(e.contains(needle), "{extra}: {e}");
    }
    // a complete neuron table on it: refused, at that table
    let n2 = with("[population.neuron]\ntau_m_ms = 10.0\nc_m_pf = 250.0\ne_l_mv = -65.0\nv_th_mv = -50.0\nv_reset_mv = -65.0\nt_ref_ms = 2.0\ntau_syn_ex_ms = 0.5\ntau_syn_in_ms = 0.5");
    let e = load_str(&n2, "net.toml").unwrap_err().to_string();
    assert!(
        e.contains("field `population[0].neuron`") && e.contains("takes no `neuron`"),
        "{e}"
    );
    // a LIF population still needs its parameters: the error names it
    let start = NET.find("[population.neuron]").unwrap();
    let end = NET.find("tau_syn_in_ms = 0.5\n").unwrap() + "tau_syn_in_ms = 0.5\n".len();
    let no_neuron = format!("{}{}", &NET[..start], &NET[end..]);
    let e = load_str(&no_neuron, "net.toml").unwrap_err().to_string();
    assert!(
        e.contains("net.toml:12:1")
            && e.contains("field `population[1]`")
            && e.contains("missing field `neuron`"),
        "{e}"
    );
    // onto an input population: refused, naming the projection's target
    let onto = NET.replace("target = \"out\"", "target = \"stim\"");
    let e = load_str(&onto, "net.toml").unwrap_err().to_string();
    assert!(
        e.contains("projection[0].target") && e.contains("input population"),
        "{e}"
    );
    // built in code with parameters of its own: refused
    let mut n = net();
    n.populations[0].neuron.tau_m_ms = 20.0;
    let e = spikefab_sim::load::validate(&n).unwrap_err();
    assert!(format!("{e:?}").contains("input population"), "{e:?}");
}
