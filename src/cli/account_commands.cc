// telecert user list|add|passwd|delete, token create|list|revoke: who may use telecertd.
//
// Passwords are never taken from the command line (they would show in `ps`): --password-file, or
// telecert generates one. A generated password and a new API token are printed once, here, and
// never again. A lost admin password is recovered on the device with `telecert user passwd admin`.
#include <iomanip>

#include "cli/command_context.h"
#include "service/password_hash.h"
#include "service/views.h"

namespace telecert::cli {
namespace {

// The password in `file` (its first line), or a generated one when no file is given.
struct ChosenPassword {
  Secret password;
  bool generated = false;
};

Result<ChosenPassword> password_from(const std::string& file) {
  if (file.empty()) {
    auto generated = service::generate_password();
    if (!generated) return std::unexpected(generated.error());
    return ChosenPassword{std::move(*generated), true};
  }
  auto read = read_passphrase(PassphraseSource{file, ""});
  if (!read) return std::unexpected(read.error());
  if (!*read || (*read)->empty()) {
    return fail(ErrorCode::InvalidArgument, "the password file '" + file + "' is empty",
                "write the password on the first line, or leave out --password-file to have "
                "telecert generate one");
  }
  return ChosenPassword{std::move(**read), false};
}

void print_users(std::ostream& out, const std::vector<service::UserView>& users) {
  out << std::left << std::setw(24) << "NAME" << std::setw(9) << "ROLE" << std::setw(22)
      << "CREATED"
      << "PASSWORD CHANGED\n";
  for (const auto& user : users) {
    out << std::left << std::setw(24) << user.name << std::setw(9) << service::to_string(user.role)
        << std::setw(22) << service::format_time(user.created_at)
        << service::format_time(user.password_changed_at) << "\n";
  }
}

void print_tokens(std::ostream& out, const std::vector<service::ApiTokenView>& tokens) {
  out << std::left << std::setw(24) << "NAME" << std::setw(9) << "ROLE"
      << "CREATED\n";
  for (const auto& token : tokens) {
    out << std::left << std::setw(24) << token.name << std::setw(9)
        << service::to_string(token.role) << service::format_time(token.created_at) << "\n";
  }
}

struct Options {
  std::string name;
  std::string role;
  std::string password_file;
};

void add_user_commands(CLI::App& app, CommandContext& context) {
  auto options = std::make_shared<Options>();
  auto* user = app.add_subcommand("user", "users of the web UI and the REST API (telecertd)");
  user->require_subcommand(1);

  auto* list = user->add_subcommand("list", "users with their role");
  context.on_run(list, [&context]() -> Result<void> {
    auto svc = context.open();
    if (!svc) return std::unexpected(svc.error());
    auto users = (*svc)->list_users();
    if (!users) return std::unexpected(users.error());
    context.print(*users, print_users);
    return {};
  });

  auto* add = user->add_subcommand("add", "create a user; prints a generated password once");
  add->add_option("name", options->name, "user name")->required();
  add->add_option("--role", options->role, "admin (everything) or monitor (read only)")->required();
  add->add_option("--password-file", options->password_file,
                  "file whose first line is the password (default: generate one)");
  context.on_run(add, [&context, options]() -> Result<void> {
    auto role = service::parse_role(options->role);
    if (!role) return std::unexpected(role.error());
    // An empty password makes the service generate one.
    Secret password;
    if (!options->password_file.empty()) {
      auto chosen = password_from(options->password_file);
      if (!chosen) return std::unexpected(chosen.error());
      password = std::move(chosen->password);
    }
    auto svc = context.open();
    if (!svc) return std::unexpected(svc.error());
    auto created = (*svc)->create_user(options->name, *role, password);
    if (!created) return std::unexpected(created.error());
    if (context.json) {
      nlohmann::json out{{"user", created->view}};
      if (created->generated_password) {
        out["password"] = std::string(created->generated_password->reveal());
      }
      std::cout << out.dump(2) << "\n";
    } else {
      std::cout << "created user " << created->view.name << " ("
                << service::to_string(created->view.role) << ")\n";
      if (created->generated_password) {
        std::cout << "password: " << created->generated_password->reveal()
                  << "\n(shown only now; keep it somewhere safe)\n";
      }
    }
    return {};
  });

  auto* passwd = user->add_subcommand(
      "passwd", "set a user's password (also how a lost admin password is recovered)");
  passwd->add_option("name", options->name, "user name")->required();
  passwd->add_option("--password-file", options->password_file,
                     "file whose first line is the password (default: generate one)");
  context.on_run(passwd, [&context, options]() -> Result<void> {
    auto chosen = password_from(options->password_file);
    if (!chosen) return std::unexpected(chosen.error());
    auto svc = context.open();
    if (!svc) return std::unexpected(svc.error());
    TELECERT_RETURN_IF_ERROR((*svc)->set_password(options->name, chosen->password));
    if (context.json) {
      nlohmann::json out{{"name", options->name}};
      if (chosen->generated) out["password"] = std::string(chosen->password.reveal());
      std::cout << out.dump(2) << "\n";
    } else {
      std::cout << "password of " << options->name << " changed\n";
      if (chosen->generated) {
        std::cout << "password: " << chosen->password.reveal()
                  << "\n(shown only now; keep it somewhere safe)\n";
      }
    }
    return {};
  });

  auto* remove = user->add_subcommand("delete", "delete a user (not the last admin)");
  remove->add_option("name", options->name, "user name")->required();
  context.on_run(remove, [&context, options]() -> Result<void> {
    auto svc = context.open();
    if (!svc) return std::unexpected(svc.error());
    TELECERT_RETURN_IF_ERROR((*svc)->delete_user(options->name));
    if (context.json)
      std::cout << nlohmann::json{{"deleted", options->name}}.dump(2) << "\n";
    else
      std::cout << "deleted user " << options->name << "\n";
    return {};
  });
}

void add_token_commands(CLI::App& app, CommandContext& context) {
  auto options = std::make_shared<Options>();
  auto* token = app.add_subcommand("token", "API tokens for automation (Authorization: Bearer)");
  token->require_subcommand(1);

  auto* create = token->add_subcommand("create", "create an API token; prints it once");
  create->add_option("name", options->name, "token name")->required();
  create->add_option("--role", options->role, "admin (everything) or monitor (read only)")
      ->required();
  context.on_run(create, [&context, options]() -> Result<void> {
    auto role = service::parse_role(options->role);
    if (!role) return std::unexpected(role.error());
    auto svc = context.open();
    if (!svc) return std::unexpected(svc.error());
    auto created = (*svc)->create_token(options->name, *role);
    if (!created) return std::unexpected(created.error());
    if (context.json) {
      nlohmann::json out = created->view;
      out["token"] = std::string(created->token.reveal());
      std::cout << out.dump(2) << "\n";
    } else {
      // Only the token on stdout: TOKEN=$(telecert token create NAME --role monitor).
      std::cerr << "created API token " << created->view.name << " ("
                << service::to_string(created->view.role)
                << "); shown only now, send it as 'Authorization: Bearer <token>'\n";
      std::cout << created->token.reveal() << "\n";
    }
    return {};
  });

  auto* list = token->add_subcommand("list", "API tokens with their role (never the tokens)");
  context.on_run(list, [&context]() -> Result<void> {
    auto svc = context.open();
    if (!svc) return std::unexpected(svc.error());
    auto tokens = (*svc)->list_tokens();
    if (!tokens) return std::unexpected(tokens.error());
    context.print(*tokens, print_tokens);
    return {};
  });

  auto* revoke = token->add_subcommand("revoke", "revoke an API token at once");
  revoke->add_option("name", options->name, "token name")->required();
  context.on_run(revoke, [&context, options]() -> Result<void> {
    auto svc = context.open();
    if (!svc) return std::unexpected(svc.error());
    TELECERT_RETURN_IF_ERROR((*svc)->revoke_token(options->name));
    if (context.json)
      std::cout << nlohmann::json{{"revoked", options->name}}.dump(2) << "\n";
    else
      std::cout << "revoked API token " << options->name << "\n";
    return {};
  });
}

}  // namespace

void add_account_commands(CLI::App& app, CommandContext& context) {
  add_user_commands(app, context);
  add_token_commands(app, context);
}

}  // namespace telecert::cli
