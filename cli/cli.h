/* Shared declarations for the leapfrog CLI: one cmd_<name>.c per subcommand. */
#ifndef LF_CLI_H
#define LF_CLI_H

/* Each subcommand gets argv with argv[0] = subcommand name; returns the exit
 * code (0 ok, 1 failure, 2 usage error). Errors go to stderr. */
typedef int (*lf_cmd_fn)(int argc, char **argv);

int cmd_info(int argc, char **argv);
int cmd_info_arch(int argc, char **argv); /* info --arch (cmd_info_arch.c) */
int cmd_invoke(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_synth(int argc, char **argv);
int cmd_dataset(int argc, char **argv);
int cmd_score(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_qat(int argc, char **argv);
int cmd_ptq(int argc, char **argv);
int cmd_ptq_tflite(int argc, char **argv); /* ptq MODEL.tflite (cmd_ptq_tflite.c) */
int cmd_convert(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_paper(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_import(int argc, char **argv);

#endif
