# SPDX-License-Identifier: GPL-2.0-only
# The transcript docs/examples/syscount_example.txt (make examples).
say "Demonstrations of syscount, the cotrace tool (real runs on Linux $(uname -r))."
run "syscount --cmd '$T/sysload getppid 1000'"
run "syscount -L --cmd '$T/sysload sleep 5 20' -T 3"
run "syscount -L -m -d 2 -T 5"
run "syscount -x --cmd 'ls /nonexistent /etc/hostname'"
run "syscount -e EBADF -j --cmd '$T/sysload close 3'"
run "syscount -P -d 2 -T 5"
run "syscount -i 1 -d 3 -T 3"
run "syscount --syscall close --comm ls -L --cmd 'ls /usr'"
run "syscount -l | head -4"
# closer does its work on a line of stdin and then holds (still running, so
# its stacks can be symbolized) until stdin closes, 3 seconds later.
CLOSER="(echo go; sleep 3) | $T/closer 7 3 --hold & sleep 1"
run_during "syscount --stack --syscall close --comm closer" "$CLOSER" \
    "syscount --stack --syscall close --comm closer     (closer 7 3 --hold running meanwhile)"
run_during "syscount --stack --syscall close --comm closer -f" "$CLOSER" \
    "syscount --stack --syscall close --comm closer -f    (closer 7 3 --hold running meanwhile)"
