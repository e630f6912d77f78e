import ViTCommands

ProcessSetup.configure()
TrainCommand.main()
