"""The harness's servers never pick a port already picked for another of them (harness/servers.py)."""

from harness import servers


def test_ports_keep_clear_of_a_callers_action_block_picked_but_not_bound(monkeypatch, tmp_path):
    # free_port offers the caller's block first, as it may while nothing listens there yet (a CI run
    # once started three replicas on the action servers' ports)
    offered = iter([5000, 5000, 6000, 5001, 5002, 7000, 8000])
    monkeypatch.setattr(servers, "free_port", lambda block=1: next(offered))
    monkeypatch.setattr(servers, "model_path", lambda: "model.tar.gz")
    a = servers.Assistant(tmp_path, actions_port=5000, replicas=3, front=True, action_servers=2)
    replicas = set(range(a.rasa_port, a.rasa_port + 3))
    actions = {5000, 5001, 5002}
    assert replicas.isdisjoint(actions) and a.web_port not in replicas | actions
    assert a.front_port not in replicas | actions | {a.web_port}
